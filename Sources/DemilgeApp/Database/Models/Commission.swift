import DemilgeCore
import Fluent
import Foundation

/// A community's commission: activists and officials who choose the main problems and plan.
final class Commission: Model, @unchecked Sendable {
    static let schema = "commissions"
    @ID(key: .id) var id: UUID?
    @Parent(key: "territory_id") var territory: Territory
    @Field(key: "name") var name: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Children(for: \.$commission) var members: [CommissionMember]
    @Children(for: \.$commission) var meetings: [CommissionMeeting]
    @Children(for: \.$commission) var measures: [ActionMeasure]
    init() {}
}
