import DemilgeCore
import Fluent
import Foundation

/// A commission member assigned to review a call.
final class GrantReviewer: Model, @unchecked Sendable {
    static let schema = "grant_reviewers"
    @ID(key: .id) var id: UUID?
    @Parent(key: "call_id") var call: GrantCall
    @Parent(key: "user_id") var user: User
    /// When the reviewer declared their conflicts of interest; nothing can be scored before.
    @OptionalField(key: "declared_at") var declaredAt: Date?
    init() {}
    init(callID: UUID, userID: UUID) {
        $call.id = callID
        $user.id = userID
    }
}
