import Fluent
import SQLKit

/// Indexes that match the pages' queries: every list is read by its parent (a problem's comments, a round's paper
/// batches, a territory's problems), in the order it is shown, so that no page reads a table whole. Unique
/// constraints already index their leading columns (a problem's supports, a round's ballots by voter).
/// `QueryPlanTests` checks with `EXPLAIN` on both databases that the main lists use them.
struct M020_QueryIndexes: AsyncMigration {
    struct Index {
        let table: String, columns: [String]
        var name: String { "ix_\(table)_\(columns.joined(separator: "_"))" }

        func create(on sql: any SQLDatabase) async throws {
            let builder = sql.create(index: name).on(table)
            for column in columns { _ = builder.column(column) }
            try await builder.run()
        }

        func drop(on sql: any SQLDatabase) async throws { try await sql.drop(index: name).run() }
    }

    static let indexes: [Index] = [
        .init(table: "territories", columns: ["parent_id"]),
        .init(table: "territories", columns: ["updated_at"]),
        .init(table: "organisations", columns: ["territory_id"]),
        .init(table: "problems", columns: ["territory_id", "support_count", "created_at"]),
        .init(table: "problems", columns: ["territory_id", "created_at"]),
        .init(table: "problems", columns: ["support_count", "created_at"]),
        .init(table: "problems", columns: ["created_at"]),
        .init(table: "problems", columns: ["merged_into_id"]),
        .init(table: "problems", columns: ["group_id"]),
        .init(table: "problems", columns: ["author_id"]),
        .init(table: "problem_comments", columns: ["problem_id", "created_at"]),
        .init(table: "problem_events", columns: ["problem_id", "at_millis"]),
        .init(table: "problem_supports", columns: ["user_id"]),
        .init(table: "assessment_sessions", columns: ["territory_id", "held_on"]),
        .init(table: "assessment_sessions", columns: ["held_on"]),
        .init(table: "focus_groups", columns: ["session_id"]),
        .init(table: "focus_group_rankings", columns: ["problem_id"]),
        .init(table: "commissions", columns: ["territory_id"]),
        .init(table: "commission_members", columns: ["commission_id"]),
        .init(table: "commission_meetings", columns: ["commission_id"]),
        .init(table: "commission_decisions", columns: ["meeting_id"]),
        .init(table: "commission_decisions", columns: ["problem_id"]),
        .init(table: "action_measures", columns: ["commission_id"]),
        .init(table: "action_measures", columns: ["problem_id"]),
        .init(table: "initiative_groups", columns: ["territory_id"]),
        .init(table: "group_memberships", columns: ["user_id"]),
        .init(table: "budget_rounds", columns: ["territory_id", "opens_on"]),
        .init(table: "budget_rounds", columns: ["status"]),
        .init(table: "budget_project_problems", columns: ["problem_id"]),
        .init(table: "paper_batches", columns: ["round_id"]),
        .init(table: "budget_ballots", columns: ["batch_id"]),
        .init(table: "budget_ballots", columns: ["voter_id"]),
        .init(table: "budget_ballot_choices", columns: ["project_id"]),
        .init(table: "round_voter_shares", columns: ["ballot_id"]),
        .init(table: "grant_calls", columns: ["programme_id"]),
        .init(table: "grant_applications", columns: ["territory_id", "status"]),
        .init(table: "grant_applications", columns: ["organisation_id"]),
        .init(table: "grant_applications", columns: ["status"]),
        .init(table: "grant_applications", columns: ["problem_id"]),
        .init(table: "grant_budget_lines", columns: ["application_id"]),
        .init(table: "grant_milestones", columns: ["application_id"]),
        .init(table: "grant_transitions", columns: ["application_id"]),
        .init(table: "grant_score_sheets", columns: ["application_id"]),
        .init(table: "grant_conflicts", columns: ["application_id"]),
        .init(table: "grant_payments", columns: ["application_id"]),
        .init(table: "grant_visits", columns: ["application_id", "visited_on"]),
        .init(table: "events", columns: ["host_territory_id", "held_on"]),
        .init(table: "events", columns: ["programme_id"]),
        .init(table: "event_invitations", columns: ["territory_id"]),
        .init(table: "practices", columns: ["territory_id"]),
        .init(table: "practices", columns: ["theme"]),
        .init(table: "programme_grantees", columns: ["territory_id"]),
        .init(table: "programme_grantees", columns: ["organisation_id"]),
        .init(table: "programme_regions", columns: ["territory_id"]),
        .init(table: "audit_entries", columns: ["action", "sequence"]),
        .init(table: "audit_entries", columns: ["entity_type", "entity_id"]),
    ]

    func prepare(on database: Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        for index in Self.indexes { try await index.create(on: sql) }
        // Fresh statistics, so that both planners know how selective the new indexes are.
        try await sql.raw("ANALYZE").run()
    }

    func revert(on database: Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        for index in Self.indexes.reversed() { try await index.drop(on: sql) }
    }
}
