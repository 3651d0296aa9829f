@testable import DemilgeApp
import DemilgeCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("Search")
struct SearchTests {
    static func results(_ browser: Browser, _ query: String, fold: Bool = false, type: String = "") async throws -> String {
        var path = "/search?q=\(Browser.encode(query))"
        if fold { path += "&fold=on" }
        if !type.isEmpty { path += "&type=\(type)" }
        let response = try await browser.get(path)
        #expect(response.status == .ok)
        let body = response.body.string
        guard let start = body.range(of: "<main"), let end = body.range(of: "</main>") else { return body }
        return String(body[start.lowerBound..<end.upperBound])
    }

    @Test("inflected Kyrgyz is found by its stem, ranked, highlighted; Russian by its stem; folding is optional")
    func inflections() async throws {
        try await withDemilge { app in
            let resident = try await Browser(app).signIn("resident.manas-ata@demilge.kg")
            try await resident.get("/problems/new")
            let raised = try await resident.post("/problems", [("title", "Көчөлөрүбүздө жарык жок"), ("description", "Кечинде балдар караңгыда басышат."),
                                                                ("category", "roads"), ("territory", "KG-GO-manas-ata")])
            #expect(raised.status == .seeOther, "\(raised.body.string.prefix(1500))")
            try await resident.get("/problems/new")
            #expect(try await resident.post("/problems", [("title", "Нет питьевой воды"), ("description", "В верхней части улицы воды нет с мая."),
                                                          ("category", "water"), ("territory", "KG-GO-manas-ata")]).status == .seeOther)
            let visitor = Browser(app)
            let street = try await Self.results(visitor, "көчө")
            #expect(street.contains("<mark>Көчөлөрүбүздө</mark> жарык жок"), "the new problem is indexed as it is saved, and the match is marked")
            #expect(try await Self.results(visitor, "кочо").contains("Көчөлөрүбүздө") == false, "without folding о is not ө")
            #expect(try await Self.results(visitor, "кочо", fold: true).contains("<mark>Көчөлөрүбүздө</mark>"))
            #expect(try await Self.results(visitor, "вода").contains("Нет питьевой <mark>воды</mark>"))

            let water = try await Self.results(visitor, "суу")
            let problem = try #require(water.range(of: "Конуштун жарымына ичүүчү <mark>суу</mark>"))
            let grant = try #require(water.range(of: "ичүүчү <mark>суу</mark> түтүгүн"))
            #expect(water.contains("Problem") || water.contains("Көйгөй"))
            #expect(problem.lowerBound < water.endIndex && grant.lowerBound < water.endIndex)
            let villages = try await Self.results(visitor, "айылдарынан", type: "territory")
            #expect(villages.contains("айыл"), "an inflected query finds the bare word")
            #expect(try await Self.results(visitor, "Ноокат", type: "organisation").contains("<mark>Ноокат</mark>"))
        }
    }

    @Test("drafts, hidden problems and unawarded proposals' texts are not searchable")
    func onlyPublic() async throws {
        try await withDemilge { app in
            let manager = try await Browser(app).signIn("manager.araket@demilge.kg")
            let call = try await GrantsTests.openCall(manager)
            let applicant = try await Browser(app).signIn("applicant.manas-ata@demilge.kg")
            try await applicant.get("\(call)/apply")
            var fields = GrantsTests.application(organisation: "mta-manas-ata", territory: "KG-GO-manas-ata", grant: "600 000", local: "100 000",
                                                 community: "60 000", total: "760 000", intent: "draft", title: "Жашыруун долбоор")
            fields = fields.map { $0.0 == "summary" ? ("summary", "Кызыктуу сырдуу мазмун") : $0 }
            #expect(try await applicant.post("\(call)/apply", fields).status == .seeOther)
            let visitor = Browser(app)
            #expect(!(try await Self.results(visitor, "Жашыруун")).contains("Жашыруун долбоор"), "a draft is not found")
            let draft = try #require(try await GrantApplication.query(on: app.db).filter(\.$title == "Жашыруун долбоор").first())
            try await applicant.get("/applications/\(draft.id!.uuidString.lowercased())/edit")
            #expect(try await applicant.post("/applications/\(draft.id!.uuidString.lowercased())",
                                             fields.map { $0.0 == "intent" ? ("intent", "submit") : $0 } + [("version", "1")]).status == .seeOther)
            #expect(try await Self.results(visitor, "Жашыруун").contains("<mark>Жашыруун</mark> долбоор"), "submitted: who applied for what is public")
            #expect(!(try await Self.results(visitor, "сырдуу")).contains("Жашыруун"), "its proposal text is not, before an award")
            #expect(try await SearchEntry.query(on: app.db).count() > 100)
        }
    }
}
