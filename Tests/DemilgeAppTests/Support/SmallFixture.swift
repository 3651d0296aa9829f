@testable import DemilgeApp
import DemilgeCore
import Fluent
import Foundation
import Testing

/// A handful of rows made in the test, with fixed ids and dates, for page models and rendered snapshots: one oblast
/// with one ayil aimak, one CSO there, one call of one programme, and one application with two budget lines and two
/// transitions.
struct SmallFixture {
    let applicationID: UUID
    let callID: UUID
    let programmeID: UUID

    static func id(_ n: Int) -> UUID? { UUID(uuidString: String(format: "00000000-0000-4000-8000-%012d", n)) }

    static func make(on db: any Database, status: GrantStatus, call callStatus: CallStatus = .decided) async throws -> SmallFixture {
        let oblast = Territory(id: Self.id(1), code: "KG-T", kind: .oblast, parentID: nil, isoCode: nil, name: LocalizedText(ky: "Сыноо облусу", ru: "Тестовая область"), aliases: [])
        try await oblast.create(on: db)
        let aimak = Territory(id: Self.id(2), code: "KG-T-ak", kind: .ayilAimak, parentID: oblast.id, isoCode: nil,
                              name: LocalizedText(ky: "Ак-Суу айыл аймагы", ru: "Ак-Суйский айылный аймак"), aliases: [])
        try await aimak.create(on: db)
        let organisation = Organisation(slug: "ak-suu-koomu", kind: .cso, legalForm: nil, name: LocalizedText(ky: "Ак-Суу коому", ru: "Общество Ак-Суу"),
                                        territoryID: aimak.id, place: nil, website: nil)
        organisation.id = Self.id(3)
        try await organisation.create(on: db)
        let programme = Programme()
        programme.id = Self.id(4)
        programme.slug = "synoo"
        programme.nameKy = "Сыноо программасы"
        programme.nameRu = "Тестовая программа"
        programme.summaryKy = "Кыскача"
        programme.national = false
        programme.goals = []
        programme.sources = ""
        try await programme.create(on: db)
        let call = GrantCall()
        call.id = Self.id(5)
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
        application.id = Self.id(6)
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
        let pipes = GrantBudgetLine(applicationID: id, position: 0, line: BudgetLine(item: "Түтүктөр", source: .grant, amountTyiyn: 50_000_000))
        pipes.id = Self.id(7)
        try await pipes.create(on: db)
        let work = GrantBudgetLine(applicationID: id, position: 1, line: BudgetLine(item: "Эмгек", source: .community, amountTyiyn: 6_000_000))
        work.id = Self.id(8)
        try await work.create(on: db)
        let submitted = try #require(ISO8601DateFormatter().date(from: "2025-06-01T06:00:00Z"))
        try await GrantTransition(applicationID: id, from: .draft, to: .submitted, reason: nil, byName: "Ак-Суу коому", at: submitted).create(on: db)
        try await GrantTransition(applicationID: id, from: .submitted, to: status, reason: nil, byName: "Комиссия", at: submitted.addingTimeInterval(20 * 86_400)).create(on: db)
        // Made past the site's write path: each place's figures are computed after it, as after any bulk load.
        try await PlaceFiguresStore.rebuildAll(on: db)
        return SmallFixture(applicationID: id, callID: try call.requireID(), programmeID: try programme.requireID())
    }

}
