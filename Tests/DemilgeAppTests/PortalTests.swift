@testable import DemilgeApp
import DemilgeCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("Territory portal")
struct PortalTests {
    @Test("a territory's page rolls up rounds, grants, money by source, action plan, monitoring, events and practices, for everything under it")
    func rollUp() async throws {
        try await withDemilge { app in
            let visitor = Browser(app)
            visitor.acceptLanguage = "en"
            for code in ["KG-GO-manas-ata", "KG-GO"] {
                let page = try await visitor.get("/territories/\(code)").body.string
                for fact in [BudgetingDemo.publishedTitle, GrantsDemo.manasAtaTitle, "1,448,500 som", "Түтүктүн 800 метри", "Жаңы конушка ичүүчү суу",
                             "Action-plan measures done"] {
                    #expect(page.contains(fact), "\(code) shows \(fact)")
                }
            }
            #expect(try await visitor.get("/territories/KG-O").body.string.contains("Тажрыйба алмашуу: Жазы айыл аймагы"), "the oblast rolls up its villages' events")
            #expect(!(try await visitor.get("/territories/KG-C").body.string).contains(GrantsDemo.manasAtaTitle))

            let facilitator = try await Browser(app).signIn("facilitator.nookat@demilge.kg")
            try await facilitator.get("/problems/new")
            _ = try await facilitator.post("/problems", [("title", "Гүлистанда ичүүчү суу жетишсиз"), ("description", "Жайында суу келбейт."),
                                                         ("category", "water"), ("territory", "KG-O-nookat-gulistan")])
            let gulistan = try await visitor.get("/territories/KG-O-nookat-gulistan").body.string
            #expect(gulistan.contains("Municipalities that solved this") && gulistan.contains("Жаңы конушка ичүүчү суу"))
        }
    }

    @Test("a programme's page shows its calls, grants awarded, their money by source and its events")
    func programme() async throws {
        try await withDemilge { app in
            let visitor = Browser(app)
            visitor.acceptLanguage = "en"
            let araket = try await visitor.get("/programmes/araket").body.string
            #expect(araket.contains(GrantsDemo.cityCallTitle) && araket.contains(GrantsDemo.openCallTitle) && araket.contains("2,350,000 som"))
            #expect(araket.contains("<span>Awarded</span>: 2"))
            let vap = try await visitor.get("/programmes/vap").body.string
            #expect(vap.contains("Тажрыйба алмашуу: Гүлистан айыл аймагы") && vap.contains("Тегерек стол"))
        }
    }
}
