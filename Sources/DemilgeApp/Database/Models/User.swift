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
    /// When the account's roles last changed: a session signed in before it is moved to a new session ID.
    @OptionalField(key: "privileges_since_millis") var privilegesSinceMillis: Int64?
    /// When the owner proved they read `email` (a link sent there); a vote or an application counts only after it.
    @OptionalField(key: "email_confirmed_millis") var emailConfirmedMillis: Int64?
    /// The language its e-mail is written in (`ky`, `ru`, `en`): chosen at registration and in the notification
    /// settings; nil reads as Kyrgyz.
    @OptionalField(key: "language") var language: Language?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Children(for: \.$user) var roles: [RoleAssignment]

    init() {}

    init(email: String, displayName: String, passwordHash: String) {
        self.email = email
        self.displayName = displayName
        self.passwordHash = passwordHash
        self.disabled = false
    }

    /// Notes, in the transaction that changes the account's roles or residence, that its sessions must move to a new ID.
    static func privilegesChanged(_ id: UUID, on db: any Database) async throws {
        try await User.query(on: db).filter(\.$id == id).set(\.$privilegesSinceMillis, to: Date().millis).update()
    }

    /// What the audit log keeps about a user: never the password hash.
    struct Snapshot: Codable { var email: String, displayName: String, disabled: Bool }
    var snapshot: Snapshot { Snapshot(email: email, displayName: displayName, disabled: disabled) }
}
