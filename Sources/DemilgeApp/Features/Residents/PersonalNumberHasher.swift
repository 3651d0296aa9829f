import Crypto
import DemilgeCore
import Fluent
import Vapor

/// The only form in which a ПИН is kept or compared: HMAC-SHA-256 under a key derived from `DEMILGE_SECRET` (in
/// production mode the secret is required, so the key is outside the database). The same person has the same hash
/// on every roll, which is what makes one person one ballot.
enum PersonalNumberHasher {
    static func key(_ req: Request) async throws -> SymmetricKey {
        try await ServerKeys.key("personal-number", app: req.application, on: req.db)
    }

    static func hash(_ number: PersonalNumber, key: SymmetricKey) -> String {
        HMAC<SHA256>.authenticationCode(for: Data(number.digits.utf8), using: key).hexString
    }

    static func hash(_ number: PersonalNumber, _ req: Request) async throws -> String {
        hash(number, key: try await key(req))
    }
}

extension FormState {
    /// The field read as a ПИН; nil, with the field failed saying what is wrong, when it is not one.
    mutating func personalNumber(_ field: String, _ req: Request, today: Day) -> PersonalNumber? {
        switch PersonalNumber.parse(self[field], today: today) {
        case .success(let number): return number
        case .failure(let problem):
            fail(field, req.t(problem.catalogKey))
            return nil
        }
    }
}
