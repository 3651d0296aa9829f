import DemilgeCore
import Fluent
import Foundation

/// A one-time way back into an account: a link sent by e-mail or a code an administrator hands over. Only the
/// SHA-256 of the token is kept; it expires, and using it once spends it.
final class PasswordReset: Model, @unchecked Sendable {
    static let schema = "password_resets"

    enum Origin: String, Codable, Sendable { case email, administrator }

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "origin") var origin: String
    @Field(key: "expires_millis") var expiresMillis: Int64
    @OptionalField(key: "used_millis") var usedMillis: Int64?
    @Field(key: "created_millis") var createdMillis: Int64

    init() {}

    init(userID: UUID, tokenHash: String, origin: Origin, expires: Date, now: Date = Date()) {
        self.$user.id = userID
        self.tokenHash = tokenHash
        self.origin = origin.rawValue
        self.expiresMillis = expires.millis
        self.createdMillis = now.millis
    }
}
