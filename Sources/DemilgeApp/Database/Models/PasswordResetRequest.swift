import DemilgeCore
import Fluent
import Foundation

/// Someone asked for a reset link for `email`; the outbox worker sends one if the address has an enabled account.
final class PasswordResetRequest: Model, @unchecked Sendable {
    static let schema = "password_reset_requests"

    @ID(key: .id) var id: UUID?
    @Field(key: "email") var email: String
    @Field(key: "language") var language: Language
    @Field(key: "created_millis") var createdMillis: Int64

    init() {}

    init(email: String, language: Language, now: Date = Date()) {
        self.email = email
        self.language = language
        self.createdMillis = now.millis
    }
}
