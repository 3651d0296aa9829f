import Fluent
import Foundation
import SQLKit

/// Optimistic locking for edit forms: a form carries the version it was opened at, and saving
/// first moves the row from that version to the next in one conditional UPDATE. If someone else
/// saved in between, no row matches and the edit is stale. Call it inside the write transaction.
enum VersionClaim {
    static func claim(_ schema: String, id: UUID, expected: Int, on db: any Database) async throws -> Bool {
        let rows = try await (db as! any SQLDatabase).update(schema)
            .set("version", to: expected + 1)
            .where("id", .equal, id).where("version", .equal, expected)
            .returning("id").all()
        return rows.count == 1
    }
}
