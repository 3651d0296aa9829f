import DemilgeCore
import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// Failed sign-ins per account (by normalised address, known or not, so the answer says nothing about which
/// addresses have accounts). After `freeFailures` failures in a row the address is held for 1 minute, then 2, 4 …
/// up to `longestHold`; the hold is checked before any password is, and a success clears the count. Failures older
/// than `forgetAfter` start the count again. Kept in the database, so every instance holds the same addresses.
enum SignInThrottle {
    static let table = "sign_in_throttle"
    static let freeFailures = 5
    static let firstHold: Int64 = 60_000
    static let longestHold: Int64 = 3_600_000
    static let forgetAfter: Int64 = 24 * 3_600_000

    private static func key(_ email: String) -> String { "signin:" + email }

    /// Until when (milliseconds since 1970) the address is held, if it is now.
    static func heldUntil(_ email: String, on db: any Database, now: Int64 = Date().millis) async throws -> Int64? {
        guard let sql = db as? any SQLDatabase else { return nil }
        struct Row: Decodable { let held_until_millis: Int64 }
        let row = try await sql.select().column("held_until_millis").from(table).where("key", .equal, key(email)).first(decoding: Row.self)
        return row.flatMap { $0.held_until_millis > now ? $0.held_until_millis : nil }
    }

    /// Counts a failure; returns until when the address is now held, if it is.
    static func failed(_ email: String, on db: any Database, now: Int64 = Date().millis) async throws -> Int64? {
        guard let sql = db as? any SQLDatabase else { return nil }
        struct Row: Decodable { let failures: Int }
        let row = try await sql.raw("""
            INSERT INTO sign_in_throttle (key, failures, last_failure_millis, held_until_millis) VALUES (\(bind: key(email)), 1, \(bind: now), 0)
            ON CONFLICT (key) DO UPDATE SET
                failures = CASE WHEN sign_in_throttle.last_failure_millis < \(bind: now - forgetAfter) THEN 1 ELSE sign_in_throttle.failures + 1 END,
                last_failure_millis = excluded.last_failure_millis
            RETURNING failures
            """).first(decoding: Row.self)
        guard let failures = row?.failures, let hold = hold(after: failures) else { return nil }
        let until = now.saturatingAdding(hold)
        try await sql.update(table).set("held_until_millis", to: until).where("key", .equal, key(email)).run()
        return until
    }

    static func succeeded(_ email: String, on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.delete(from: table).where("key", .equal, key(email)).run()
    }

    /// How long `failures` failures in a row hold the address: nothing up to `freeFailures - 1`, then doubling.
    static func hold(after failures: Int) -> Int64? {
        guard failures >= freeFailures else { return nil }
        let doublings = min(failures - freeFailures, 12)
        return min(firstHold << Int64(doublings), longestHold)
    }
}

extension Application {
    private struct DecoyHashKey: StorageKey { typealias Value = NIOLockedValueBox<String?> }

    /// Called once at start-up, before requests share it.
    func installDecoyPasswordHash() { storage[DecoyHashKey.self] = NIOLockedValueBox(nil) }

    /// A hash of a random password made with this server's hasher (the same cost as real ones), checked in place of
    /// an account's when the address has none.
    func decoyPasswordHash(_ req: Request) async throws -> String {
        if let made = storage[DecoyHashKey.self]?.withLockedValue({ $0 }) { return made }
        let made = try await req.password.async.hash(UUID().uuidString).get()
        storage[DecoyHashKey.self]?.withLockedValue { $0 = made }
        return made
    }
}
