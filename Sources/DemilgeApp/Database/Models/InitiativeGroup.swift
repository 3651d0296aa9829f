import DemilgeCore
import Fluent
import Foundation

/// A community's initiative group (демилгелүү топ): activists, business, officials and citizens.
final class InitiativeGroup: Model, @unchecked Sendable {
    static let schema = "initiative_groups"
    @ID(key: .id) var id: UUID?
    @Parent(key: "territory_id") var territory: Territory
    @Field(key: "name") var name: String
    @Field(key: "focus") var focus: String
    @Parent(key: "coordinator_id") var coordinator: User
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Children(for: \.$group) var memberships: [GroupMembership]
    init() {}
}
