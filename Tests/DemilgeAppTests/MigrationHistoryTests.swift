@testable import DemilgeApp
import DemilgeCore
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting

@Suite("Migration history")
struct MigrationHistoryTests {
    /// The migrations as they were when `M003` and `M012` first shipped (nothing after M017 existed then either).
    static var shipped: [any Migration] {
        [M001_CreateTerritories(), M002_CreateOrganisations(), ShippedM003_CreateProgrammes(), M004_CreateUsers(), M005_CreateAudit(),
         M006_CreateProblems(), M007_CreateAssessments(), M008_CreateCommissions(), M009_CreateInitiativeGroups(), M010_ProblemGroup(),
         M011_CreateBudgetRounds(), ShippedM012_CreateGrants(), M013_CreateSearchEntries(), M014_CreateEvents(), M015_CreatePractices(),
         M016_ConflictWithdrawal(), M017_CreateRoundResults(), SessionRecord.migration]
    }

    @Test("a database built by the shipped M003 and M012 is brought to today's shape, its programme periods kept")
    func shippedShapeUpgrades() async throws {
        try await withFreshDatabase(prepared: false) { app in
            let sql = try #require(app.db as? any SQLDatabase)
            let migrations = Migrations()
            migrations.add(Self.shipped)
            let migrator = Migrator(databases: app.databases, migrations: migrations, logger: app.logger, on: app.eventLoopGroup.any())
            try await migrator.setupIfNeeded().get()
            try await migrator.prepareBatch().get()
            #expect(try await TableColumns.read(Programme.schema, on: sql).isSuperset(of: ["starts_on", "ends_on"]))
            #expect(try await !TableColumns.read(GrantApplication.schema, on: sql).contains("measure_id"))

            // A programme as the old seed stored it: its period as the first day of two months, midnight in Bishkek
            // (on a UTC PostgreSQL that is the last day of the month before).
            let bishkek = { (text: String) in try #require(Day(text)).start }
            let programmeID = UUID()
            try await sql.raw("""
                INSERT INTO programmes (id, slug, name_ky, summary_ky, starts_on, ends_on, national, goals, sources)
                VALUES (\(bind: programmeID), 'old', 'Эски программа', 'Кыскача', \(bind: try bishkek("2019-10-01")), \(bind: try bishkek("2024-09-01")), false, '[]', '')
                """).run()
            try await sql.raw("INSERT INTO programmes (id, slug, name_ky, summary_ky, national, goals, sources) VALUES (\(bind: UUID()), 'open', 'Мөөнөтсүз', 'Кыскача', true, '[]', '')").run()

            // What `demilge serve` does on start: only the migrations this database lacks run.
            try await app.autoMigrate()

            let programmeColumns = try await TableColumns.read(Programme.schema, on: sql)
            #expect(programmeColumns.isSuperset(of: ["start_month", "end_month"]))
            #expect(programmeColumns.isDisjoint(with: ["starts_on", "ends_on"]))
            #expect(try await TableColumns.read(GrantApplication.schema, on: sql).contains("measure_id"))
            let old = try #require(try await Programme.find(programmeID, on: app.db))
            #expect(old.startMonth == YearMonth("2019-10") && old.endMonth == YearMonth("2024-09"))
            let open = try #require(try await Programme.query(on: app.db).filter(\.$slug == "open").first())
            #expect(open.startMonth == nil && open.endMonth == nil)

            // The upgraded database takes the demo data and everything that uses the new columns.
            _ = try await DemoData.load(into: app)
            #expect(try await GrantApplication.query(on: app.db).filter(\.$measure.$id != nil).count() > 0)
        }
    }

    @Test("on a database made by today's migrations the reconciliation changes nothing")
    func currentShapeUntouched() async throws {
        try await withDemilge { app in
            let sql = try #require(app.db as? any SQLDatabase)
            let before = try await TableColumns.read(Programme.schema, on: sql)
            try await M018_ReconcileEditedMigrations().prepare(on: app.db)
            #expect(try await TableColumns.read(Programme.schema, on: sql) == before)
            #expect(try await Programme.query(on: app.db).all().contains { $0.startMonth != nil })
        }
    }
}
