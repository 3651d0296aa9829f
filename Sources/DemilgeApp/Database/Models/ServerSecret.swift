import DemilgeCore
import Fluent
import Foundation

/// Secrets the server keeps for itself (e.g. the key that orders ballots in exports), made once per database
/// unless `DEMILGE_SECRET` is set.
final class ServerSecret: Model, @unchecked Sendable {
    static let schema = "server_secrets"

    @ID(custom: "name", generatedBy: .user) var id: String?
    @Field(key: "value") var value: String

    init() {}

    init(name: String, value: String) {
        self.id = name
        self.value = value
    }
}
