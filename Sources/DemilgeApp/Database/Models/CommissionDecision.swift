import DemilgeCore
import Fluent
import Foundation

/// A meeting's choice of a main problem, with the reason.
final class CommissionDecision: Model, @unchecked Sendable {
    static let schema = "commission_decisions"
    @ID(key: .id) var id: UUID?
    @Parent(key: "meeting_id") var meeting: CommissionMeeting
    @Parent(key: "problem_id") var problem: Problem
    @Field(key: "reason") var reason: String
    init() {}
}
