import Fluent
import SQLKit

/// A territory's page counts its open and solved problems over everything under it; with this index both counts
/// read the index alone, instead of one table row per problem of an oblast (profiled on the national data: most of
/// an oblast page's time went to those row reads).
struct M022_CoveringCounts: AsyncMigration {
    static let index = M020_QueryIndexes.Index(table: "problems", columns: ["territory_id", "status", "hidden", "merged_into_id"])

    func prepare(on database: Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        let builder = sql.create(index: Self.index.name).on(Self.index.table)
        for column in Self.index.columns { _ = builder.column(column) }
        try await builder.run()
    }

    func revert(on database: Database) async throws {
        try await (database as? any SQLDatabase)?.drop(index: Self.index.name).run()
    }
}
