import Fluent
import Foundation

/// A link sent to confirm that an account's owner reads its address. Only the SHA-256 of the token is kept; it
/// confirms the address it was sent to (a changed address needs a new link) until it expires.
final class EmailConfirmation: Model, @unchecked Sendable {
    static let schema = "email_confirmations"

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "email") var email: String
    @Field(key: "expires_millis") var expiresMillis: Int64
    @Field(key: "created_millis") var createdMillis: Int64

    init() {}

    init(userID: UUID, tokenHash: String, email: String, expires: Date, now: Date = Date()) {
        self.$user.id = userID
        self.tokenHash = tokenHash
        self.email = email
        self.expiresMillis = expires.millis
        self.createdMillis = now.millis
    }
}
