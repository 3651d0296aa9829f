import Fluent
import SQLKit

/// A territory's page counts its open and solved problems over everything under it; with this index both counts
/// read the index alone, instead of one table row per problem of an oblast (profiled on the national data: most of
/// an oblast page's time went to those row reads).
struct M022_CoveringCounts: AsyncMigration {
    static let index = M020_QueryIndexes.Index(table: "problems", columns: ["territory_id", "status", "hidden", "merged_into_id"])

    func prepare(on database: Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await Self.index.create(on: sql)
    }

    func revert(on database: Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await Self.index.drop(on: sql)
    }
}
