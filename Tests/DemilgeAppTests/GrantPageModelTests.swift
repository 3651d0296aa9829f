@testable import DemilgeApp
import DemilgeCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// The public grant page as a value, built on a handful of rows made here (not the demo seed), read as a signed-out
/// visitor would see it.
@Suite("Grant page model")
struct GrantPageModelTests {
    static func page(_ app: Application, _ fixture: SmallFixture, _ language: Language) async throws -> GrantPage {
        let req = Request(application: app, on: app.eventLoopGroup.any())
        req.language = language
        let application = try #require(try await GrantApplication.query(on: app.db).filter(\.$id == fixture.applicationID)
            .with(\.$call) { $0.with(\.$programme) }.with(\.$organisation).with(\.$territory).with(\.$problem).with(\.$measure).with(\.$lines).first())
        let viewer = try await GrantViewer.load(req, call: application.call)
        return try await GrantPage.build(req, application, viewer: viewer, form: FormState(), formName: "", notice: nil)
    }

    @Test("an approved grant: who, where, how much, its timeline and the proposal are public, in the reader's language; nothing to act on")
    func approvedForVisitors() async throws {
        try await withFreshDatabase(prepared: false) { app in
            try await app.autoMigrate()
            let fixture = try await SmallFixture.make(on: app.db, status: .approved)
            let ky = try await Self.page(app, fixture, .ky)
            #expect(ky.title == "Ак-Сууга суу түтүгү" && ky.callTitle == "Суу сынагы" && ky.programme == "Сыноо программасы")
            #expect(ky.organisation == "Ак-Суу коому" && ky.organisationSlug == "ak-suu-koomu")
            #expect(ky.statusKey == "approved" && ky.status == app.catalog.text(GrantStatus.approved.catalogKey, .ky))
            #expect(ky.requested == Money(minorUnits: 50_000_000).formatted(.ky) && ky.total == Money(minorUnits: 56_000_000).formatted(.ky))
            #expect(ky.timeline.map(\.label) == [GrantStatus.submitted, .approved].map { app.catalog.text($0.catalogKey, .ky) })
            #expect(ky.timeline.first?.at == Day.today(try #require(ISO8601DateFormatter().date(from: "2025-06-01T06:00:00Z"))).formatted(.ky))
            #expect(ky.seesProposal, "an awarded proposal is public")
            #expect(ky.lines.map(\.item) == ["Түтүктөр", "Эмгек"])
            #expect(ky.beneficiariesTotal == 230)
            #expect(!ky.canEdit && !ky.hasMoves && !ky.isReviewer && !ky.canPay && !ky.canContract && !ky.canVisit && !ky.showScores)
            #expect(ky.stages.filter(\.current).count == 1)

            let ru = try await Self.page(app, fixture, .ru)
            #expect(ru.status == app.catalog.text(GrantStatus.approved.catalogKey, .ru) && ru.status != ky.status)
            #expect(ru.programme == "Тестовая программа" && ru.organisation == "Общество Ак-Суу")
            #expect(ru.requested == Money(minorUnits: 50_000_000).formatted(.ru))
        }
    }

    @Test("while the call is in review, a proposal shows who applied for what, and not its content")
    func submittedKeepsProposal() async throws {
        try await withFreshDatabase(prepared: false) { app in
            try await app.autoMigrate()
            let page = try await Self.page(app, try await SmallFixture.make(on: app.db, status: .underReview, call: .review), .ky)
            #expect(page.title == "Ак-Сууга суу түтүгү" && page.organisation == "Ак-Суу коому")
            #expect(!page.seesProposal)
            #expect(page.lines.isEmpty && page.activities.isEmpty && page.beneficiaries.isEmpty && page.summary.isEmpty)
        }
    }

    @Test("an application's page reads its own score sheets and conflicts only, and answers as the whole call's board does")
    func boardOfOneApplication() async throws {
        try await withDemilge { app in
            let calls = try await GrantCall.query(on: app.db).all()
            var compared = 0
            for call in calls {
                let whole = try await CallBoard.load(call, on: app.db)
                for application in whole.applications {
                    let own = try await CallBoard.load(call, only: application, on: app.db)
                    #expect(own.countedSheets(of: application).compactMap(\.id) == whole.countedSheets(of: application).compactMap(\.id))
                    #expect(own.conflicted(application) == whole.conflicted(application))
                    #expect(own.revealed(application) == whole.revealed(application))
                    #expect(own.aggregate(application) == whole.aggregate(application))
                    #expect(own.sheets.allSatisfy { $0.$application.id == application.id })
                    compared += 1
                }
            }
            #expect(compared > 3)
            #expect(try await GrantScoreSheet.query(on: app.db).count() > 0, "the demo has score sheets to compare")
        }
    }
}
