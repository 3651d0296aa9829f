import DemilgeCore
import Fluent
import Foundation

/// One step of an application's life, shown as its public timeline.
final class GrantTransition: Model, @unchecked Sendable {
    static let schema = "grant_transitions"
    @ID(key: .id) var id: UUID?
    @Parent(key: "application_id") var application: GrantApplication
    @OptionalField(key: "from_status") var from: GrantStatus?
    @Field(key: "to_status") var to: GrantStatus
    @OptionalField(key: "reason") var reason: String?
    @Field(key: "by_name") var byName: String
    @Field(key: "at") var at: Date
    init() {}
    init(applicationID: UUID, from: GrantStatus?, to: GrantStatus, reason: String?, byName: String, at: Date = Date()) {
        $application.id = applicationID
        self.from = from
        self.to = to
        self.reason = reason
        self.byName = byName
        self.at = at
    }
}
