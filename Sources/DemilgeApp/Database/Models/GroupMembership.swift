import DemilgeCore
import Fluent
import Foundation

final class GroupMembership: Model, @unchecked Sendable {
    static let schema = "group_memberships"
    @ID(key: .id) var id: UUID?
    @Parent(key: "group_id") var group: InitiativeGroup
    @Parent(key: "user_id") var user: User
    @Field(key: "sector") var sector: String
    @Field(key: "status") var status: MembershipStatus
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    init() {}

    init(groupID: UUID, userID: UUID, sector: Sector, status: MembershipStatus) {
        $group.id = groupID
        $user.id = userID
        self.sector = sector.rawValue
        self.status = status
    }

}
