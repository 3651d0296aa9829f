import Crypto
import DemilgeCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// The key audit hashes are made with, kept outside the database: `DEMILGE_AUDIT_KEY` (at least 32 characters; the
/// same on every instance, set before the first start and never changed). Without it a development key is used,
/// which production mode refuses.
enum AuditKey {
    static let environmentName = "DEMILGE_AUDIT_KEY"
    private static let developmentSecret = "demilge-development-audit-key: not for production"

    static var isConfigured: Bool { (Environment.get(environmentName)?.count ?? 0) >= 32 }

    static let current: SymmetricKey = {
        let secret = Environment.get(environmentName).flatMap { $0.count >= 32 ? $0 : nil } ?? developmentSecret
        return SymmetricKey(data: SHA256.hash(data: Data(secret.utf8)))
    }()

    struct Missing: Error, CustomStringConvertible {
        var description: String {
            "DEMILGE_ENV=production needs \(AuditKey.environmentName) (at least 32 characters, e.g. `openssl rand -hex 32`), " +
                "the same on every instance and kept outside the database."
        }
    }
}

/// The head of the chain, one row in `audit_head`, written in the transaction of every entry.
enum AuditHeadStore {
    static let table = "audit_head"

    static func read(on db: any Database) async throws -> AuditHead? {
        guard let sql = db as? any SQLDatabase else { return nil }
        struct Row: Decodable { let sequence: Int64; let hash: String; let mac: String }
        return try await sql.raw("SELECT sequence, hash, mac FROM audit_head WHERE id = 1").first(decoding: Row.self)
            .map { AuditHead(sequence: $0.sequence, hash: $0.hash, mac: $0.mac) }
    }

    /// Where the next entry goes, in one round trip: after the head, or after the last entry if that is further on.
    /// Entries deleted from the end thus leave a gap the next entry cannot close, and a head moved back or deleted
    /// does not stop writes.
    static func end(on db: any Database) async throws -> (sequence: Int64, hash: String)? {
        guard let sql = db as? any SQLDatabase else { return nil }
        struct Row: Decodable { let head_sequence: Int64?; let head_hash: String?; let last_sequence: Int64?; let last_hash: String? }
        guard let row = try await sql.raw("""
            SELECT (SELECT sequence FROM audit_head WHERE id = 1) AS head_sequence,
                   (SELECT hash FROM audit_head WHERE id = 1) AS head_hash,
                   (SELECT sequence FROM audit_entries ORDER BY sequence DESC LIMIT 1) AS last_sequence,
                   (SELECT hash FROM audit_entries ORDER BY sequence DESC LIMIT 1) AS last_hash
            """).first(decoding: Row.self) else { return nil }
        let head = row.head_sequence.flatMap { sequence in row.head_hash.map { (sequence: sequence, hash: $0) } }
        let last = row.last_sequence.flatMap { sequence in row.last_hash.map { (sequence: sequence, hash: $0) } }
        guard let head else { return last }
        guard let last else { return head }
        return head.sequence >= last.sequence ? head : last
    }

    static func write(_ head: AuditHead, on db: any Database, now: Date = Date()) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.raw("""
            INSERT INTO audit_head (id, sequence, hash, mac, updated_millis)
            VALUES (1, \(bind: head.sequence), \(bind: head.hash), \(bind: head.mac), \(bind: now.millis))
            ON CONFLICT (id) DO UPDATE SET sequence = excluded.sequence, hash = excluded.hash, mac = excluded.mac,
                updated_millis = excluded.updated_millis
            """).run()
    }
}
