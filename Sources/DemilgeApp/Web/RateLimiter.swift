import Fluent
import Foundation

/// Fixed-window counters kept in the database, so all app instances share them.
enum RateLimiter {
    /// Counts one hit for `key`; false when the key already used its `limit` in this window.
    static func allow(_ key: String, limit: Int, window: TimeInterval, on db: any Database, now: Date = Date()) async throws -> Bool {
        let windowStart = Int64(now.timeIntervalSince1970 / window) * Int64(window)
        return try await db.transaction { db in
            if let bucket = try await RateLimitBucket.find(key, on: db) {
                if bucket.windowStart != windowStart {
                    bucket.windowStart = windowStart
                    bucket.hits = 0
                }
                guard bucket.hits < limit else { return false }
                bucket.hits += 1
                try await bucket.update(on: db)
                return true
            }
            let bucket = RateLimitBucket()
            bucket.id = key
            bucket.windowStart = windowStart
            bucket.hits = 1
            try await bucket.create(on: db)
            return true
        }
    }
}
