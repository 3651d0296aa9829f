import DemilgeCore
import Fluent
import Foundation

/// A person following a problem, round, call, application or territory: they are told what happens to it.
/// `automatic` when it came from raising, supporting, applying or voting rather than the follow button.
final class Follow: Model, @unchecked Sendable {
    static let schema = "follows"

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    @Field(key: "subject_kind") var subjectKind: FollowSubject
    @Field(key: "subject_id") var subjectID: UUID
    @Field(key: "automatic") var automatic: Bool
    @Field(key: "created_millis") var createdMillis: Int64

    init() {}
}
