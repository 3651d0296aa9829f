import DemilgeCore
import Fluent
import Foundation

/// A user who acts for an organisation: applies in its name, and is conflicted when reviewing it.
final class OrganisationMember: Model, @unchecked Sendable {
    static let schema = "organisation_members"
    @ID(key: .id) var id: UUID?
    @Parent(key: "organisation_id") var organisation: Organisation
    @Parent(key: "user_id") var user: User
    init() {}
    init(organisationID: UUID, userID: UUID) {
        $organisation.id = organisationID
        $user.id = userID
    }
}
