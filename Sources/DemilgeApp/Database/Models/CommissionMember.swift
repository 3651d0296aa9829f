import DemilgeCore
import Fluent
import Foundation

final class CommissionMember: Model, @unchecked Sendable {
    static let schema = "commission_members"
    @ID(key: .id) var id: UUID?
    @Parent(key: "commission_id") var commission: Commission
    @Field(key: "name") var name: String
    @Field(key: "affiliation") var affiliation: String
    @Field(key: "position") var position: String
    init() {}
}
