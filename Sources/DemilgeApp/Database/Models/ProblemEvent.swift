import DemilgeCore
import Fluent
import Foundation

/// One step in a problem's public history: a status change with its reason.
final class ProblemEvent: Model, @unchecked Sendable {
    static let schema = "problem_events"
    @ID(key: .id) var id: UUID?
    @Parent(key: "problem_id") var problem: Problem
    @OptionalField(key: "from_status") var fromStatus: ProblemStatus?
    @Field(key: "to_status") var toStatus: ProblemStatus
    @Field(key: "reason") var reason: String
    @Field(key: "at_millis") var atMillis: Int64
    init() {}
    init(problemID: UUID, from: ProblemStatus?, to: ProblemStatus, reason: String, at: Date = Date()) {
        $problem.id = problemID
        fromStatus = from
        toStatus = to
        self.reason = reason
        atMillis = at.millis
    }
}
