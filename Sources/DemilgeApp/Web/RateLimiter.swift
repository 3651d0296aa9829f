import Fluent
import Foundation
import SQLKit

/// Fixed-window counters kept in the database, so all app instances share them. A hit is one atomic upsert
/// (`INSERT … ON CONFLICT DO UPDATE … RETURNING`, on SQLite and PostgreSQL alike): two instances counting the same
/// key at once both count, and neither fails on the other's new row.
enum RateLimiter {
    /// Counts one hit for `key`; false when the key already used its `limit` in this window.
    static func allow(_ key: String, limit: Int, window: TimeInterval, on db: any Database, now: Date = Date()) async throws -> Bool {
        guard let sql = db as? any SQLDatabase else { return true }
        let windowStart = Int64(now.timeIntervalSince1970 / window) * Int64(window)
        struct Row: Decodable { let hits: Int }
        let row = try await sql.raw("""
            INSERT INTO rate_limit_buckets (key, window_start, hits) VALUES (\(bind: key), \(bind: windowStart), 1)
            ON CONFLICT (key) DO UPDATE SET
                hits = CASE WHEN rate_limit_buckets.window_start = excluded.window_start THEN rate_limit_buckets.hits + 1 ELSE 1 END,
                window_start = excluded.window_start
            RETURNING hits
            """).first(decoding: Row.self)
        return (row?.hits ?? 1) <= limit
    }
}
