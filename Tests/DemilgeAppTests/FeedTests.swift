@testable import DemilgeApp
import DemilgeCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("Atom feeds")
struct FeedTests {
    /// xmllint without a schema: the feed must at least be well-formed XML.
    static func wellFormed(_ xml: String) async throws -> Bool { try await IATITests.xmllint(xml, schema: nil).valid }

    @Test("problems, results and grants per territory, newest first, including everything under it")
    func feeds() async throws {
        try await withDemilge { app in
            let visitor = Browser(app)
            let results = try await visitor.get("/territories/KG-GO/results.atom")
            #expect(results.headers.contentType?.description.hasPrefix("application/atom+xml") == true)
            #expect(try await Self.wellFormed(results.body.string))
            #expect(results.body.string.contains(BudgetingDemo.publishedTitle) && results.body.string.contains(GrantsDemo.cityCallTitle))
            #expect(!results.body.string.contains(BudgetingDemo.openTitle), "a round still voting has no results")
            let grants = try await visitor.get("/territories/KG-GO/grants.atom").body.string
            #expect(try await Self.wellFormed(grants) && grants.contains(GrantsDemo.manasAtaTitle))
            #expect(!(try await visitor.get("/territories/KG-C/grants.atom").body.string).contains(GrantsDemo.manasAtaTitle), "only the territory's own")

            let resident = try await Browser(app).signIn("resident.manas-ata@demilge.kg")
            try await resident.get("/problems/new")
            #expect(try await resident.post("/problems", [("title", "Аялдама <жок> & жаан"), ("description", "Балдар жаанда турат."), ("category", "transport"),
                                                          ("territory", "KG-GO-manas-ata")]).status == .seeOther)
            let problems = try await visitor.get("/territories/KG-GO/problems.atom").body.string
            #expect(try await Self.wellFormed(problems), "titles are escaped")
            let first = try #require(problems.range(of: "<entry>"))
            #expect(problems[first.lowerBound...].prefix(400).contains("Аялдама &lt;жок&gt; &amp; жаан"), "the newest problem comes first")
            #expect(try await visitor.get("/territories/NO-SUCH/problems.atom").status == .notFound)
        }
    }
}
