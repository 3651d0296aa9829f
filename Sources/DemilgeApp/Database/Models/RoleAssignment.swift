import DemilgeCore
import Fluent
import Foundation

/// One role granted to a user, globally or for a territory or a programme.
final class RoleAssignment: Model, @unchecked Sendable {
    static let schema = "role_assignments"

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    @Field(key: "role") var role: String
    @OptionalParent(key: "territory_id") var territory: Territory?
    @OptionalParent(key: "programme_id") var programme: Programme?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(userID: UUID, grant: RoleGrant) {
        self.$user.id = userID
        self.role = grant.role.rawValue
        switch grant.scope {
        case .global: break
        case .territory(let id): self.$territory.id = id
        case .programme(let id): self.$programme.id = id
        }
    }

    var grant: RoleGrant? {
        guard let role = Role(rawValue: role) else { return nil }
        if let id = $territory.id { return RoleGrant(role, .territory(id)) }
        if let id = $programme.id { return RoleGrant(role, .programme(id)) }
        return RoleGrant(role, .global)
    }

    struct Snapshot: Codable { var userID: UUID, role: String, territoryID: UUID?, programmeID: UUID? }
    var snapshot: Snapshot { Snapshot(userID: $user.id, role: role, territoryID: $territory.id, programmeID: $programme.id) }
}
