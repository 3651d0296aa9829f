import DemilgeCore
import Fluent
import Foundation

/// One reviewer's scores (and a comment per criterion) for one application.
final class GrantScoreSheet: Model, @unchecked Sendable {
    static let schema = "grant_score_sheets"
    @ID(key: .id) var id: UUID?
    @Parent(key: "reviewer_id") var reviewer: GrantReviewer
    @Parent(key: "application_id") var application: GrantApplication
    @Field(key: "scores") var scoresJSON: JSONText<[String: Int]>
    @Field(key: "comments") var commentsJSON: JSONText<[String: String]>
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    init() {}
    var scores: [String: Int] {
        get { scoresJSON.value }
        set { scoresJSON = JSONText(newValue) }
    }
    var comments: [String: String] {
        get { commentsJSON.value }
        set { commentsJSON = JSONText(newValue) }
    }
}
