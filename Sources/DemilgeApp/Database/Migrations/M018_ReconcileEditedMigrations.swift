import DemilgeCore
import Fluent
import Foundation
import SQLKit

/// Two shipped migrations were edited after databases had been made with them, so those databases never got
/// the change: `M003` stored programme periods as `starts_on`/`ends_on` dates (now `start_month`/`end_month`
/// text, `YYYY-MM`), and `M012` created `grant_applications` without `measure_id`. This brings such a database to
/// today's shape and does nothing on one made by the current migrations. Migrations are never edited again once
/// shipped (docs/ARCHITECTURE.md); a change is a new migration like this one.
struct M018_ReconcileEditedMigrations: AsyncMigration {
    /// In one transaction, and each step only if the database still needs it: a run stopped halfway is redone whole.
    func prepare(on database: Database) async throws {
        try await database.transaction { db in
            guard let sql = db as? any SQLDatabase else { return }
            let programmeColumns = try await TableColumns.read(Programme.schema, on: sql)
            if !programmeColumns.contains("start_month") {
                try await db.schema(Programme.schema).field("start_month", .string).update()
                try await db.schema(Programme.schema).field("end_month", .string).update()
            }
            if programmeColumns.contains("starts_on") && programmeColumns.contains("ends_on") {
                try await Self.copyPeriods(on: sql)
                for old in ["starts_on", "ends_on"] {
                    try await sql.raw("ALTER TABLE \(ident: Programme.schema) DROP COLUMN \(ident: old)").run()
                }
            }
            if try await !TableColumns.read(GrantApplication.schema, on: sql).contains("measure_id") {
                try await db.schema(GrantApplication.schema)
                    .field("measure_id", .uuid, .references(ActionMeasure.schema, "id", onDelete: .setNull)).update()
            }
        }
    }

    /// The old schema only ever stored the first day of a month, as midnight in Bishkek: SQLite kept that instant,
    /// PostgreSQL's `date` kept its calendar day in the server's time zone — on a UTC server the last day of the month
    /// before. 36 hours later is inside the intended month in every case. A period already copied is left as it is.
    private static func copyPeriods(on sql: any SQLDatabase) async throws {
        let rows = try await sql.raw("SELECT id, starts_on, ends_on FROM \(ident: Programme.schema) WHERE start_month IS NULL").all()
        for row in rows {
            let id = try row.decode(column: "id", as: UUID.self)
            let months = try ["starts_on", "ends_on"].map { column in
                try row.decode(column: column, as: Date?.self).flatMap { Self.month(of: $0) }?.description
            }
            try await sql.raw("""
                UPDATE \(ident: Programme.schema) SET start_month = \(bind: months[0]), end_month = \(bind: months[1]) WHERE id = \(bind: id)
                """).run()
        }
    }

    private static func month(of date: Date) -> YearMonth? {
        Day.today(date.addingTimeInterval(36 * 3600)).yearMonth
    }

    /// The earlier shapes are not brought back: the columns they lacked hold data by now.
    func revert(on database: Database) async throws {}
}

/// The columns a table has, read from the database itself (SQLite's `pragma_table_info`, PostgreSQL's
/// `information_schema`).
enum TableColumns {
    static func read(_ table: String, on sql: any SQLDatabase) async throws -> Set<String> {
        let query: SQLQueryString = sql.dialect.name == "sqlite"
            ? "SELECT name FROM pragma_table_info(\(bind: table))"
            : "SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = \(bind: table)"
        return Set(try await sql.raw(query).all().map { try $0.decode(column: "name", as: String.self) })
    }
}
