import DemilgeCore
import Fluent
import Foundation

final class ProblemComment: Model, @unchecked Sendable {
    static let schema = "problem_comments"
    @ID(key: .id) var id: UUID?
    @Parent(key: "problem_id") var problem: Problem
    @Parent(key: "author_id") var author: User
    @Field(key: "body") var body: String
    @Field(key: "hidden") var hidden: Bool
    @OptionalField(key: "hidden_reason") var hiddenReason: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    init() {}
}
