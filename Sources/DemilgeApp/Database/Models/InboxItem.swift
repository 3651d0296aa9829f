import DemilgeCore
import Fluent
import Foundation

/// One notification in a person's inbox. `title` is the subject's name when it happened and `detail` a stored state
/// (the new status), both shown in the reader's language when read. `mailDueMillis` is when it is to be e-mailed
/// (now, or the next digest); nil once mailed or when it is not to be.
final class InboxItem: Model, @unchecked Sendable {
    static let schema = "notifications"

    @ID(custom: "id", generatedBy: .database) var id: Int64?
    @Parent(key: "user_id") var user: User
    @Field(key: "kind") var kind: NotificationKind
    @Field(key: "subject_kind") var subjectKind: FollowSubject
    @Field(key: "subject_id") var subjectID: UUID
    @Field(key: "title") var title: String
    @Field(key: "detail") var detail: String
    @Field(key: "created_millis") var createdMillis: Int64
    @OptionalField(key: "read_millis") var readMillis: Int64?
    @OptionalField(key: "mail_due_millis") var mailDueMillis: Int64?
    @OptionalField(key: "mailed_millis") var mailedMillis: Int64?

    init() {}
}
