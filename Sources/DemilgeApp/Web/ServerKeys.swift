import Crypto
import Fluent
import NIOConcurrencyHelpers
import Vapor

/// Keys the server derives for its own purposes (the order of ballots in exports, the hash of a ПИН). They come from
/// `DEMILGE_SECRET` when it is set (at least 32 characters), else from a random secret made once and kept in the
/// database, so every instance on one database derives the same keys. Production mode requires the variable: a ПИН
/// hash keyed by something in the same database could be reversed by anyone holding a copy of it.
enum ServerKeys {
    static let environmentName = "DEMILGE_SECRET"

    static var isConfigured: Bool { (Environment.get(environmentName)?.count ?? 0) >= 32 }

    struct Missing: Error, CustomStringConvertible {
        var description: String {
            "DEMILGE_ENV=production needs \(ServerKeys.environmentName) (at least 32 characters, e.g. `openssl rand -hex 32`), " +
                "the same on every instance and kept outside the database: it keys the hashes of personal numbers."
        }
    }

    private struct CacheKey: StorageKey { typealias Value = NIOLockedValueBox<SymmetricKey?> }

    /// Called once at start-up, before requests share the cache.
    static func install(on app: Application) { app.storage[CacheKey.self] = NIOLockedValueBox(nil) }

    static func key(_ purpose: String, app: Application, on db: any Database) async throws -> SymmetricKey {
        let master = try await masterKey(app: app, on: db)
        return SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Data(purpose.utf8), using: master))
    }

    private static func masterKey(app: Application, on db: any Database) async throws -> SymmetricKey {
        if let cached = app.storage[CacheKey.self]?.withLockedValue({ $0 }) { return cached }
        let key: SymmetricKey
        if let secret = Environment.get(environmentName), secret.count >= 32 {
            key = SymmetricKey(data: SHA256.hash(data: Data(secret.utf8)))
        } else if let stored = try await ServerSecret.find("master", on: db), let data = Data(base64Encoded: stored.value) {
            key = SymmetricKey(data: data)
        } else {
            let fresh = SymmetricKey(size: .bits256)
            let encoded = fresh.withUnsafeBytes { Data($0).base64EncodedString() }
            // Two instances starting at once: the first row wins and both read it back.
            do { try await ServerSecret(name: "master", value: encoded).create(on: db) } catch let error as any DatabaseError where error.isConstraintFailure {}
            guard let stored = try await ServerSecret.find("master", on: db), let data = Data(base64Encoded: stored.value) else { throw Abort(.internalServerError) }
            key = SymmetricKey(data: data)
        }
        app.storage[CacheKey.self]?.withLockedValue { $0 = key }
        return key
    }

    /// A stable position for `id` that says nothing about when the row was written.
    static func order(_ id: UUID, key: SymmetricKey) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: Data(id.uuidString.utf8), using: key))
    }
}
