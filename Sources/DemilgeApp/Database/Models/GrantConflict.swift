import DemilgeCore
import Fluent
import Foundation

/// A reviewer's declared conflict of interest with one application. It can be declared at any time before the
/// reviewer scores it, and withdrawn with a reason (the row stays, with when and why, for the audit).
final class GrantConflict: Model, @unchecked Sendable {
    static let schema = "grant_conflicts"
    @ID(key: .id) var id: UUID?
    @Parent(key: "reviewer_id") var reviewer: GrantReviewer
    @Parent(key: "application_id") var application: GrantApplication
    @Field(key: "reason") var reason: String
    @OptionalField(key: "withdrawn_at") var withdrawnAt: Date?
    @OptionalField(key: "withdrawal_reason") var withdrawalReason: String?
    init() {}
    init(reviewerID: UUID, applicationID: UUID, reason: String) {
        $reviewer.id = reviewerID
        $application.id = applicationID
        self.reason = reason
    }
}
