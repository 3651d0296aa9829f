import DemilgeCore
import Fluent
import Foundation
import FluentSQL
import SQLKit

/// Optimistic locking for edit forms: a form carries the version it was opened at, and saving
/// first moves the row from that version to the next in one conditional UPDATE. If someone else
/// saved in between, no row matches and the edit is stale. Call it inside the write transaction.
enum VersionClaim {
    /// Versions a form may carry: anything else is stale by definition (and `+ 1` can never overflow).
    static let range = 1...Int(Int32.max)

    /// Reads a form's `version` field; nil (stale) when it is missing or not a version.
    static func read(_ text: String) -> Int? { BoundedInt.parse(text, in: range) }

    static func claim(_ schema: String, id: UUID, expected: Int, on db: any Database) async throws -> Bool {
        guard range.contains(expected), let sql = db as? any SQLDatabase else { return false }
        let rows = try await sql.update(schema)
            .set("version", to: expected + 1)
            .where("id", .equal, id).where("version", .equal, expected)
            .returning("id").all()
        return rows.count == 1
    }
}

/// Serialises writes that must see each other: touching the row (an UPDATE that changes nothing) takes its lock
/// in PostgreSQL until the transaction ends, so a second transaction that locks the same row waits and then
/// reads what the first one wrote. On SQLite the write gate already runs one write transaction at a time.
enum RowLock {
    static func lock(_ schema: String, id: UUID, on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.update(schema).set("id", to: SQLColumn("id")).where("id", .equal, id).run()
    }

    /// Locks the row and reads it in the same statement (one round trip instead of two).
    static func lockAndRead<Row: Model>(_ type: Row.Type, id: UUID, on db: any Database) async throws -> Row? where Row.IDValue == UUID {
        guard let sql = db as? any SQLDatabase else { return try await Row.find(id, on: db) }
        return try await sql.update(Row.schema).set("id", to: SQLColumn("id")).where("id", .equal, id)
            .returning(SQLLiteral.all).first(decodingFluent: Row.self)
    }
}
