import DemilgeCore
import Fluent
import Foundation

final class ProblemSupport: Model, @unchecked Sendable {
    static let schema = "problem_supports"
    @ID(key: .id) var id: UUID?
    @Parent(key: "problem_id") var problem: Problem
    @Parent(key: "user_id") var user: User
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    init() {}
    init(problemID: UUID, userID: UUID) {
        $problem.id = problemID
        $user.id = userID
    }
}
