import Fluent
import SQLKit

/// SQLite: the problems list without a place filter (the whole country, newest or most supported first) reads only
/// listed problems (not hidden, not merged into another) in the order shown, so a page, however deep, walks one index
/// instead of sorting every problem. Measured on the national data (100,000 problems): page 1,000 of the list went
/// from 292 ms to 16 ms, counting the listed problems for the JSON API from 535 ms to 26 ms.
///
/// Not on PostgreSQL: its planner does not take `merged_into_id IS NULL` as fixing that column, so such an index gives
/// it no order; it reads the list backwards through `created_at` (or `support_count, created_at`) with an incremental
/// sort of equal times instead, 26 ms for the same page 1,000.
struct M024_ProblemListIndexes: AsyncMigration {
    static let indexes: [M020_QueryIndexes.Index] = [
        .init(table: "problems", columns: ["hidden", "merged_into_id", "created_at", "id"]),
        .init(table: "problems", columns: ["hidden", "merged_into_id", "support_count", "created_at", "id"]),
    ]

    func prepare(on database: Database) async throws {
        guard let sql = database as? any SQLDatabase, sql.dialect.name == "sqlite" else { return }
        for index in Self.indexes { try await index.create(on: sql) }
        try await sql.raw("ANALYZE problems").run()
    }

    func revert(on database: Database) async throws {
        guard let sql = database as? any SQLDatabase, sql.dialect.name == "sqlite" else { return }
        for index in Self.indexes.reversed() { try await index.drop(on: sql) }
    }
}
