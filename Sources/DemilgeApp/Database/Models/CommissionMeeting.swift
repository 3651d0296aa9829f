import DemilgeCore
import Fluent
import Foundation

final class CommissionMeeting: Model, @unchecked Sendable {
    static let schema = "commission_meetings"
    @ID(key: .id) var id: UUID?
    @Parent(key: "commission_id") var commission: Commission
    @Field(key: "held_on") var heldOn: Day
    @Field(key: "present") var present: Int
    @Field(key: "minutes") var minutes: String
    @Children(for: \.$meeting) var decisions: [CommissionDecision]
    init() {}
}
