@testable import DemilgeApp
import DemilgeCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("Practices catalogue")
struct PracticesTests {
    @Test("the demo practice is filterable by theme and oblast, searchable, and linked from a problem of the same kind elsewhere")
    func catalogue() async throws {
        try await withDemilge { app in
            let visitor = Browser(app)
            #expect(try await visitor.get("/practices?theme=water").body.string.contains("Жаңы конушка ичүүчү суу"))
            #expect(!(try await visitor.get("/practices?theme=roads").body.string).contains("Жаңы конушка ичүүчү суу"))
            #expect(try await visitor.get("/practices?oblast=KG-GO").body.string.contains("Жаңы конушка ичүүчү суу"))
            #expect(!(try await visitor.get("/practices?oblast=KG-C").body.string).contains("Жаңы конушка ичүүчү суу"))
            let practice = try #require(try await Practice.query(on: app.db).first())
            let page = try await visitor.get("/practices/\(practice.id!.uuidString.lowercased())").body.string
            #expect(page.contains(Money.som(1_448_500).formatted(.ky)) && page.contains("Манас-Ата муниципалдык аймактык башкармалыгы, Ош шаары"))
            #expect(try await visitor.get("/practices.csv").body.string.contains("water,KG-GO-manas-ata,2023-01-15,1448500.00,135000.00,180000.00,0.00"))
            #expect(try await SearchTests.results(visitor, "түтүктөрдү").contains("<mark>түтүк</mark>"))

            // A village elsewhere raises a water problem: its page points to Манас-Ата's practice.
            let facilitator = try await Browser(app).signIn("facilitator.nookat@demilge.kg")
            try await facilitator.get("/problems/new")
            let raised = try await facilitator.post("/problems", [("title", "Гүлистанда ичүүчү суу жетишсиз"), ("description", "Жайында суу келбейт."),
                                                                  ("category", "water"), ("territory", "KG-O-nookat-gulistan")])
            let problemPage = try await facilitator.get(try #require(raised.location)).body.string
            #expect(problemPage.contains("/practices/\(practice.id!.uuidString.lowercased())"), "municipalities that solved this")
        }
    }

    @Test("a closed grant is published once, with its spending prefilled; others may not publish it")
    func publish() async throws {
        try await withDemilge { app in
            let grant = try await GrantsTests.application(app, titled: GrantsDemo.manasAtaTitle)
            let manager = try await Browser(app).signIn("manager.araket@demilge.kg")
            manager.acceptLanguage = "en"
            let form = try await manager.get("/practices/new?grant=\(grant.id!.uuidString.lowercased())").body.string
            #expect(form.contains(#"value="1,448,500""#), "the grant's spending is prefilled, written as English pages write amounts")
            let fields: [(String, String)] = [("grant", grant.id!.uuidString.lowercased()), ("title", "Тагы бир жолу"), ("theme", "water"), ("territory", "KG-GO-manas-ata"),
                                              ("what_was_done", "Түтүк тартылды, үйлөр туташты."), ("what_worked", "Жамааттын ашары жардам берди."),
                                              ("contact", "Манас-Ата МАБ"), ("grant_som", "1448500")]
            let twice = try await manager.post("/practices", fields)
            #expect(twice.status == .unprocessableEntity && twice.body.string.contains("already been published"))
            #expect(try await Practice.query(on: app.db).count() == 1)
            let resident = try await Browser(app).signIn("resident.manas-ata@demilge.kg")
            #expect(try await resident.get("/practices/new").status == .forbidden)
            let staff = try await Browser(app).signIn("staff.osh@demilge.kg")
            try await staff.get("/practices/new")
            let own = try await staff.post("/practices", fields.filter { $0.0 != "grant" }.map { $0.0 == "title" ? ("title", "Алай 1: көчө жарыгы") : $0 }
                                           .map { $0.0 == "theme" ? ("theme", "lighting") : $0 })
            #expect(own.status == .seeOther, "\(own.body.string.prefix(1200))")
            #expect(try await Practice.query(on: app.db).count() == 2)
        }
    }
}
