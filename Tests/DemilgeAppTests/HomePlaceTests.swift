@testable import DemilgeApp
import DemilgeCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("The home page from where one lives")
struct HomePlaceTests {
    @Test("a place chosen once shows what is open there now, without an account; each visitor's home is their own")
    func myPlace() async throws {
        try await withDemilge { app in
            let round = try #require(try await BudgetRound.query(on: app.db).filter(\.$status == .voting).with(\.$territory).first())
            let directory = try await PublicPageModelTests.visitor(app).territoryDirectory()
            let related = directory.subtree(of: round.$territory.id).union(directory.path(to: round.territory).compactMap(\.id))
            let elsewhere = try #require(directory.roots.first { !directory.subtree(of: $0).contains(round.$territory.id) })
            #expect(!related.contains(try elsewhere.requireID()))

            let visitor = Browser(app)
            visitor.acceptLanguage = "en"
            let before = try await visitor.get("/").body.string
            #expect(before.contains(#"<select id="place-code" name="code">"#) && !before.contains(#"class="my-place""#))
            let chosen = try await visitor.get("/place?code=\(round.territory.code)")
            #expect(chosen.status == .seeOther && chosen.headers.first(name: .location) == "/")
            let home = try await visitor.get("/").body.string
            #expect(home.contains(#"class="my-place""#) && home.contains(round.title), "the round voting there")
            let days = MyPlace.days(from: Day.today(), to: round.closesOn)
            #expect(home.contains(days == 1 ? "1 day left" : "\(days) days left"))
            let priorities = try await Problem.query(on: app.db).filter(\.$territory.$id ~~ Array(directory.subtree(of: round.$territory.id)))
                .filter(\.$status == .prioritised).filter(\.$hidden == false).all()
            for problem in priorities.prefix(MyPlace.shown) where priorities.count <= MyPlace.shown { #expect(home.contains(problem.title)) }
            #expect(home.contains(#"<option value="\#(round.territory.code)" selected>"#), "the picker narrows from the chosen place")

            let neighbour = Browser(app)
            neighbour.acceptLanguage = "en"
            _ = try await neighbour.get("/place?code=\(elsewhere.code)")
            #expect(!(try await neighbour.get("/").body.string.contains(round.title)), "a place elsewhere does not show that round")
            #expect(try await visitor.get("/").body.string.contains(round.title), "the first visitor's kept home is still their own")

            _ = try await visitor.get("/place?code=nowhere")
            #expect(!(try await visitor.get("/").body.string.contains(#"class="my-place""#)), "an unknown place forgets the choice")
        }
    }

    @Test("days left to vote count the last day")
    func daysLeft() throws {
        let today = try #require(Day("2025-03-15"))
        #expect(MyPlace.days(from: today, to: today) == 1)
        #expect(MyPlace.days(from: today, to: try #require(Day("2025-03-16"))) == 2)
        #expect(MyPlace.days(from: today, to: try #require(Day("2025-04-15"))) == 32)
        #expect(MyPlace.days(from: today, to: try #require(Day("2025-03-01"))) == 1, "never below one while open")
    }
}
