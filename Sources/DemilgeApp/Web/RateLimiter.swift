import Fluent
import Foundation
import SQLKit
import Vapor

/// Fixed-window counters kept in the database, so all app instances share them. A hit is one atomic upsert
/// (`INSERT … ON CONFLICT DO UPDATE … RETURNING`, on SQLite and PostgreSQL alike): two instances counting the same
/// key at once both count, and neither fails on the other's new row. A window only moves forward: an instance whose
/// clock is behind counts into the current window instead of resetting it.
enum RateLimiter {
    /// Counts one hit for `key`; false when the key already used its `limit` in this window.
    static func allow(_ key: String, limit: Int, window: TimeInterval, on db: any Database, now: Date = Date()) async throws -> Bool {
        guard let sql = db as? any SQLDatabase else { return false }
        let windowStart = Int64(now.timeIntervalSince1970 / window) * Int64(window)
        struct Row: Decodable { let hits: Int }
        let row = try await sql.raw("""
            INSERT INTO rate_limit_buckets (key, window_start, hits) VALUES (\(bind: key), \(bind: windowStart), 1)
            ON CONFLICT (key) DO UPDATE SET
                hits = CASE WHEN excluded.window_start > rate_limit_buckets.window_start THEN 1 ELSE rate_limit_buckets.hits + 1 END,
                window_start = CASE WHEN excluded.window_start > rate_limit_buckets.window_start
                                    THEN excluded.window_start ELSE rate_limit_buckets.window_start END
            RETURNING hits
            """).first(decoding: Row.self)
        return (row?.hits ?? 1) <= limit
    }
}

extension Request {
    /// Counts one hit for `key` in a write of its own (bookkeeping: no figure moves); false when the limit is used.
    func allow(_ key: String, limit: Int, window: TimeInterval) async throws -> Bool {
        try await write(counted: false) { db in try await RateLimiter.allow(key, limit: limit, window: window, on: db) }
    }
}
