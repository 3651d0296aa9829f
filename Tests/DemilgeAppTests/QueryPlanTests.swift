@testable import DemilgeApp
import DemilgeCore
import Fluent
import SQLKit
import Testing
import Vapor

/// The pages' main lists read through the indexes of `M020_QueryIndexes`, on SQLite and PostgreSQL, checked with the
/// databases' own `EXPLAIN`. PostgreSQL is told not to scan tables where it can help it (its tables are tiny here,
/// where a scan is cheaper); what is checked is that an index that matches the query exists and is chosen.
@Suite("Query plans")
struct QueryPlanTests {
    struct Case {
        let sql: String
        let index: String
        /// Indexes PostgreSQL may choose instead on its tiny test tables, where they cost the same.
        var alsoOnPostgres: [String] = []
        /// An index only SQLite has (`M024_ProblemListIndexes` says why).
        var sqliteOnly = false
    }

    static let problemID = "00000000-0000-0000-0000-000000000001"
    static let cases: [Case] = [
        Case(sql: "SELECT * FROM problem_comments WHERE problem_id = '\(problemID)' ORDER BY created_at LIMIT 51",
             index: "ix_problem_comments_problem_id_created_at"),
        Case(sql: "SELECT * FROM problem_events WHERE problem_id = '\(problemID)' ORDER BY at_millis", index: "ix_problem_events_problem_id_at_millis"),
        Case(sql: "SELECT * FROM problems WHERE territory_id IN ('\(problemID)') AND hidden = false ORDER BY support_count DESC, created_at DESC LIMIT 51",
             index: "ix_problems_territory_id_support_count_created_at"),
        // The whole country's list, as `ProblemFilters.query` asks for it, however deep the page.
        Case(sql: "SELECT * FROM problems WHERE hidden = false AND merged_into_id IS NULL ORDER BY created_at DESC, id DESC LIMIT 51 OFFSET 50000",
             index: "ix_problems_hidden_merged_into_id_created_at_id", sqliteOnly: true),
        Case(sql: "SELECT * FROM problems WHERE hidden = false AND merged_into_id IS NULL ORDER BY support_count DESC, created_at DESC, id DESC LIMIT 51 OFFSET 50000",
             index: "ix_problems_hidden_merged_into_id_support_count_created_at_id", sqliteOnly: true),
        Case(sql: "SELECT COUNT(*) FROM problems WHERE hidden = false AND merged_into_id IS NULL",
             index: "ix_problems_hidden_merged_into_id_support_count_created_at_id", sqliteOnly: true),
        Case(sql: "SELECT sequence FROM audit_entries WHERE action = 'problem.raise' ORDER BY sequence DESC LIMIT 20",
             index: "ix_audit_entries_action_sequence"),
        Case(sql: "SELECT * FROM grant_visits WHERE application_id = '\(problemID)' ORDER BY visited_on DESC LIMIT 5",
             index: "ix_grant_visits_application_id_visited_on"),
        Case(sql: "SELECT * FROM assessment_sessions WHERE territory_id IN ('\(problemID)') ORDER BY held_on DESC LIMIT 12",
             index: "ix_assessment_sessions_territory_id_held_on"),
        Case(sql: "SELECT * FROM territories WHERE parent_id = '\(problemID)'", index: "ix_territories_parent_id"),
        Case(sql: "SELECT COUNT(*) FROM problems WHERE territory_id IN ('\(problemID)') AND hidden = false AND merged_into_id IS NULL AND status = 'solved'",
             index: "ix_problems_territory_id_status_hidden_merged_into_id",
             alsoOnPostgres: ["ix_problems_territory_id_created_at", "ix_problems_territory_id_support_count_created_at"]),
        Case(sql: "SELECT * FROM focus_groups WHERE session_id = '\(problemID)'", index: "ix_focus_groups_session_id"),
    ]

    /// The plan as text, one line per step.
    static func plan(_ query: String, on app: Application) async throws -> String {
        try await app.db.transaction { db in
            guard let sql = db as? any SQLDatabase else { return "" }
            if sql.dialect.name == "sqlite" {
                struct Step: Decodable { let detail: String }
                return try await sql.raw("EXPLAIN QUERY PLAN \(unsafeRaw: query)").all(decoding: Step.self).map(\.detail).joined(separator: "\n")
            }
            try await sql.raw("SET LOCAL enable_seqscan = off").run()
            let rows = try await sql.raw("EXPLAIN \(unsafeRaw: query)").all()
            return try rows.map { try $0.decode(column: "QUERY PLAN", as: String.self) }.joined(separator: "\n")
        }
    }

    @Test("every main list is read by the index made for it", arguments: cases.indices)
    func usesIndex(_ index: Int) async throws {
        let query = Self.cases[index]
        try await withDemilge { app in
            let isSQLite = (app.db as? any SQLDatabase)?.dialect.name == "sqlite"
            guard isSQLite || !query.sqliteOnly else { return }
            let plan = try await Self.plan(query.sql, on: app)
            let accepted = [query.index] + (isSQLite ? [] : query.alsoOnPostgres)
            #expect(accepted.contains(where: plan.contains), "\(query.sql)\n\(plan)")
        }
    }

    @Test("search reads the full-text index (FTS5 on SQLite, the GIN index on PostgreSQL), and follows edits of entries")
    func searchUsesIndex() async throws {
        try await withDemilge { app in
            let sql = try #require(app.db as? any SQLDatabase)
            let (query, index) = sql.dialect.name == "sqlite"
                ? ("SELECT e.id FROM search_fts JOIN search_entries e ON e.rowid = search_fts.rowid WHERE search_fts MATCH '(keys : (\"суу\"))'", "VIRTUAL TABLE INDEX")
                : ("SELECT e.id FROM search_entries e WHERE to_tsvector('simple', e.keys) @@ to_tsquery('simple', '(''суу'')')", "ix_search_entries_keys_fts")
            let plan = try await Self.plan(query, on: app)
            #expect(plan.contains(index), "\(plan)")
            let entry = try #require(try await SearchEntry.query(on: app.db).filter(\.$entityType == "territory").first())
            let found = { (key: String) in try await SearchLookup.entries([[key]], fold: false, type: "territory", limit: 500, on: app.db).map(\.id) }
            entry.keys = " жаңыачкыч "
            try await entry.save(on: app.db)
            #expect(try await found("жаңыачкыч") == [entry.id], "an edited entry is found by its new key")
            try await entry.delete(on: app.db)
            #expect(try await found("жаңыачкыч").isEmpty, "a removed entry is no longer found")
        }
    }

    @Test("every index of the migration exists, with the columns it names")
    func indexesExist() async throws {
        try await withDemilge { app in
            let sql = try #require(app.db as? any SQLDatabase)
            struct Name: Decodable { let name: String }
            let names: [String]
            if sql.dialect.name == "sqlite" {
                names = try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'index'").all(decoding: Name.self).map(\.name)
            } else {
                names = try await sql.raw("SELECT indexname AS name FROM pg_indexes WHERE schemaname = current_schema()").all(decoding: Name.self).map(\.name)
            }
            let sqliteOnly = sql.dialect.name == "sqlite" ? M024_ProblemListIndexes.indexes : []
            for index in M020_QueryIndexes.indexes + [M022_CoveringCounts.index] + sqliteOnly { #expect(names.contains(index.name), "\(index.name) missing") }
        }
    }
}
