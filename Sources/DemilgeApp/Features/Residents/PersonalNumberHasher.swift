import Crypto
import DemilgeCore
import Fluent
import Vapor

/// The only form in which a ПИН is kept or compared: HMAC-SHA-256 under a key derived from `DEMILGE_SECRET` (in
/// production mode the secret is required, so the key is outside the database). The same person has the same hash
/// on every roll, which is what makes one person one ballot.
enum PersonalNumberHasher {
    static func hash(_ number: PersonalNumber, _ req: Request) async throws -> String {
        try await hash(number, app: req.application, on: req.db)
    }

    static func hash(_ number: PersonalNumber, app: Application, on db: any Database) async throws -> String {
        let key = try await ServerKeys.key("personal-number", app: app, on: db)
        return HMAC<SHA256>.authenticationCode(for: Data(number.digits.utf8), using: key).hexString
    }
}
