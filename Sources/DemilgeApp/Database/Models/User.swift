import DemilgeCore
import Fluent
import Foundation

final class User: Model, @unchecked Sendable {
    static let schema = "users"

    @ID(key: .id) var id: UUID?
    @Field(key: "email") var email: String
    @Field(key: "display_name") var displayName: String
    @Field(key: "password_hash") var passwordHash: String
    @Field(key: "disabled") var disabled: Bool
    /// Sessions signed in before this moment (a password change or reset) no longer count.
    @OptionalField(key: "sessions_since_millis") var sessionsSinceMillis: Int64?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Children(for: \.$user) var roles: [RoleAssignment]

    init() {}

    init(email: String, displayName: String, passwordHash: String) {
        self.email = email
        self.displayName = displayName
        self.passwordHash = passwordHash
        self.disabled = false
    }

    /// What the audit log keeps about a user: never the password hash.
    struct Snapshot: Codable { var email: String, displayName: String, disabled: Bool }
    var snapshot: Snapshot { Snapshot(email: email, displayName: displayName, disabled: disabled) }
}
