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
    struct Fixture {
        let applicationID: UUID
    }

    /// One oblast with one ayil aimak, one CSO there, one call of one programme, and one application
    /// with two budget lines and its two transitions.
    static func fixture(on db: any Database, status: GrantStatus, call callStatus: CallStatus = .decided) async throws -> Fixture {
        let oblast = Territory(code: "KG-T", kind: .oblast, parentID: nil, isoCode: nil, name: LocalizedText(ky: "Сыноо облусу", ru: "Тестовая область"), aliases: [])
        try await oblast.create(on: db)
        let aimak = Territory(code: "KG-T-ak", kind: .ayilAimak, parentID: oblast.id, isoCode: nil,
                              name: LocalizedText(ky: "Ак-Суу айыл аймагы", ru: "Ак-Суйский айылный аймак"), aliases: [])
        try await aimak.create(on: db)
        let organisation = Organisation(slug: "ak-suu-koomu", kind: .cso, legalForm: nil, name: LocalizedText(ky: "Ак-Суу коому", ru: "Общество Ак-Суу"),
                                        territoryID: aimak.id, place: nil, website: nil)
        try await organisation.create(on: db)
        let programme = Programme()
        programme.slug = "synoo"
        programme.nameKy = "Сыноо программасы"
        programme.nameRu = "Тестовая программа"
        programme.summaryKy = "Кыскача"
        programme.national = false
        programme.goals = []
        programme.sources = ""
        try await programme.create(on: db)
        let call = GrantCall()
        call.$programme.id = try programme.requireID()
        call.title = "Суу сынагы"
        call.description = "Айылдарга таза суу."
        call.budgetTyiyn = 100_000_000
        call.minGrantTyiyn = 10_000_000
        call.maxGrantTyiyn = 60_000_000
        call.coFundingPercent = 10
        call.applicantKindsText = "cso"
        call.territoryIDs = []
        call.deadline = try Day(stored: "2025-06-30")
        call.documents = ""
        call.criteria = [.init(key: "c1", name: "Маанилүүлүгү", weight: 100, max: 10)]
        call.minimumScore = 0
        call.status = callStatus
        call.version = 1
        try await call.create(on: db)
        let application = GrantApplication()
        application.$call.id = try call.requireID()
        application.$organisation.id = try organisation.requireID()
        application.$territory.id = try aimak.requireID()
        application.title = "Ак-Сууга суу түтүгү"
        application.summary = "Эки километр түтүк."
        application.goals = "Таза суу"
        application.activities = [.init(what: "Түтүк төшөө", from: "2025-07", to: "2025-09")]
        application.requestedTyiyn = 50_000_000
        application.totalTyiyn = 56_000_000
        var served = Participants()
        served[.female, .from30to59] = 120
        served[.male, .from30to59] = 110
        application.beneficiaries = served
        application.status = status
        application.version = 1
        try await application.create(on: db)
        let id = try application.requireID()
        try await GrantBudgetLine(applicationID: id, position: 0, line: BudgetLine(item: "Түтүктөр", source: .grant, amountTyiyn: 50_000_000)).create(on: db)
        try await GrantBudgetLine(applicationID: id, position: 1, line: BudgetLine(item: "Эмгек", source: .community, amountTyiyn: 6_000_000)).create(on: db)
        let submitted = try #require(ISO8601DateFormatter().date(from: "2025-06-01T06:00:00Z"))
        try await GrantTransition(applicationID: id, from: .draft, to: .submitted, reason: nil, byName: "Ак-Суу коому", at: submitted).create(on: db)
        try await GrantTransition(applicationID: id, from: .submitted, to: status, reason: nil, byName: "Комиссия", at: submitted.addingTimeInterval(20 * 86_400)).create(on: db)
        return Fixture(applicationID: id)
    }

    static func page(_ app: Application, _ fixture: Fixture, _ language: Language) async throws -> GrantPage {
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
            let fixture = try await Self.fixture(on: app.db, status: .approved)
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
            let page = try await Self.page(app, try await Self.fixture(on: app.db, status: .underReview, call: .review), .ky)
            #expect(page.title == "Ак-Сууга суу түтүгү" && page.organisation == "Ак-Суу коому")
            #expect(!page.seesProposal)
            #expect(page.lines.isEmpty && page.activities.isEmpty && page.beneficiaries.isEmpty && page.summary.isEmpty)
        }
    }
}
