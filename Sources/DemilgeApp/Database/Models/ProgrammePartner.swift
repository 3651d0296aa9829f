import DemilgeCore
import Fluent
import Foundation

final class ProgrammePartner: Model, @unchecked Sendable {
    static let schema = "programme_partners"
    @ID(key: .id) var id: UUID?
    @Parent(key: "programme_id") var programme: Programme
    @Parent(key: "organisation_id") var organisation: Organisation
    init() {}
}
