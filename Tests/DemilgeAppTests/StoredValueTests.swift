@testable import DemilgeApp
import DemilgeCore
import Fluent
import SQLKit
import Testing
import Vapor
import VaporTesting

/// A state, a day or a structured column that the database holds in a shape Demilge does not know is an error
/// when the row is read — never a silent default such as "draft", "no criteria" or zero participants.
@Suite("Stored values read strictly")
struct StoredValueTests {
    @Test("every model reads back the demo data: states, days and JSON columns all decode")
    func demoDecodes() async throws {
        try await withDemilge { app in
            #expect(try await GrantCall.query(on: app.db).all().allSatisfy { !$0.criteria.isEmpty })
            #expect(try await GrantApplication.query(on: app.db).count() > 0)
            _ = try await GrantApplication.query(on: app.db).all()
            _ = try await GrantBudgetLine.query(on: app.db).all()
            _ = try await GrantTransition.query(on: app.db).all()
            _ = try await GrantScoreSheet.query(on: app.db).all()
            _ = try await GrantContract.query(on: app.db).all()
            _ = try await GrantTranche.query(on: app.db).all()
            _ = try await GrantPayment.query(on: app.db).all()
            _ = try await GrantMilestone.query(on: app.db).all()
            _ = try await GrantVisit.query(on: app.db).all()
            _ = try await GrantReport.query(on: app.db).all()
            _ = try await Problem.query(on: app.db).all()
            _ = try await ProblemEvent.query(on: app.db).all()
            _ = try await BudgetRound.query(on: app.db).all()
            _ = try await PaperBatch.query(on: app.db).all()
            _ = try await AssessmentSession.query(on: app.db).all()
            #expect(try await FocusGroup.query(on: app.db).all().contains { $0.participants.total > 0 })
            _ = try await Event.query(on: app.db).all()
            _ = try await ActionMeasure.query(on: app.db).all()
            _ = try await CommissionMeeting.query(on: app.db).all()
            _ = try await Practice.query(on: app.db).all()
            _ = try await Organisation.query(on: app.db).all()
            _ = try await Territory.query(on: app.db).all()
            _ = try await GroupMembership.query(on: app.db).all()
        }
    }

    /// (table, column, a value that is the wrong shape, the query that reads the row)
    static let corruptions: [(table: String, column: String, value: String)] = [
        ("grant_calls", "status", "closed"),
        ("grant_calls", "deadline", "2025-02-30"),
        ("grant_calls", "criteria", "not json"),
        ("grant_calls", "territories", "{\"a\": 1}"),
        ("grant_applications", "status", "Approved"),
        ("grant_applications", "beneficiaries", "[]"),
        ("problems", "status", "archived"),
        ("problems", "category", ""),
        ("budget_rounds", "rule", "greedy"),
        ("budget_rounds", "closes_on", "15.03.2025"),
        ("territories", "kind", "district"),
        ("focus_groups", "participants", "{\"female_18_35\": \"many\"}"),
        ("events", "kind", "party"),
        ("programmes", "start_month", "2019-13"),
    ]

    @Test("a row with an unknown state, an impossible day or malformed JSON fails the read", arguments: Self.corruptions)
    func corruptRowFails(_ corruption: (table: String, column: String, value: String)) async throws {
        try await withDemilge { app in
            let sql = try #require(app.db as? any SQLDatabase)
            let ids = try await sql.raw("SELECT id FROM \(ident: corruption.table)").all().map { try $0.decode(column: "id", as: UUID.self) }
            let id = try #require(ids.first, "the demo data has a row in \(corruption.table)")
            try await sql.raw("UPDATE \(ident: corruption.table) SET \(ident: corruption.column) = \(bind: corruption.value) WHERE id = \(bind: id)").run()
            await #expect(throws: (any Error).self, "\(corruption.table).\(corruption.column) = \(corruption.value)") {
                try await Self.read(corruption.table, on: app.db)
            }
        }
    }

    static func read(_ table: String, on db: any Database) async throws {
        switch table {
        case "grant_calls": _ = try await GrantCall.query(on: db).all()
        case "grant_applications": _ = try await GrantApplication.query(on: db).all()
        case "problems": _ = try await Problem.query(on: db).all()
        case "budget_rounds": _ = try await BudgetRound.query(on: db).all()
        case "territories": _ = try await Territory.query(on: db).all()
        case "focus_groups": _ = try await FocusGroup.query(on: db).all()
        case "events": _ = try await Event.query(on: db).all()
        case "programmes": _ = try await Programme.query(on: db).all()
        default: Issue.record("no reader for \(table)")
        }
    }
}
