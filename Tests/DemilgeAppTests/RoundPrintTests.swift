@testable import DemilgeApp
import DemilgeCore
import Fluent
import Testing
import Vapor
import VaporTesting

@Suite("A round on paper: the ballot and the poster")
struct RoundPrintTests {
    @Test("the ballot lists every project with its cost and says how to mark it for the round's kind of ballot, in the reader's language")
    func ballot() async throws {
        try await withDemilge { app in
            let round = try #require(try await BudgetRound.query(on: app.db).filter(\.$status == .voting).with(\.$projects).first())
            #expect(round.type == .knapsack)
            let visitor = Browser(app)
            visitor.acceptLanguage = "ru"
            let paper = try await visitor.get("/rounds/\(round.idString)/ballot")
            #expect(paper.status == .ok)
            let text = paper.body.string
            #expect(text.contains("<h1>Бюллетень для голосования</h1>") && text.contains(round.title))
            #expect(round.projects.count >= 2)
            for project in round.projects {
                #expect(text.contains(project.title) && text.contains(Money(minorUnits: project.costTyiyn).formatted(.ru)), "\(project.title)")
            }
            #expect(text.contains("вместе они могут стоить не больше \(Money(minorUnits: round.envelopeTyiyn).formatted(.ru))"))

            round.type = .cumulative
            round.pointsTotal = 10
            try await round.save(on: app.db)
            visitor.acceptLanguage = "ky"
            let points = try await visitor.get("/rounds/\(round.idString)/ballot").body.string
            #expect(points.contains("<h1>Добуш берүү бюллетени</h1>") && points.contains("10 упайды бөлүштүрүңүз") && points.contains("<th scope=\"col\">Упай</th>"))

            round.type = .approval
            round.pointsTotal = nil
            round.maxChoices = 2
            try await round.save(on: app.db)
            visitor.acceptLanguage = "en"
            let approval = try await visitor.get("/rounds/\(round.idString)/ballot").body.string
            #expect(approval.contains("Put a tick ✓ in the box of each project you support.") && approval.contains("at most 2"))
        }
    }

    @Test("the poster says who decides about how much, when, and where to vote online and on paper")
    func poster() async throws {
        try await withDemilge(publicURL: "https://demilge.kg") { app in
            let round = try #require(try await BudgetRound.query(on: app.db).filter(\.$status == .voting).with(\.$territory).first())
            let visitor = Browser(app)
            visitor.acceptLanguage = "en"
            let text = try await visitor.get("/rounds/\(round.idString)/poster").body.string
            #expect(text.contains("<h1>\(round.title)</h1>"))
            #expect(text.contains("residents decide which projects \(Money(minorUnits: round.envelopeTyiyn).formatted(.en)) is spent on"))
            #expect(text.contains(round.closesOn.formatted(.en)))
            #expect(text.contains("https://demilge.kg/rounds/\(round.idString)"), "the configured public address, never the request's Host")
            let page = try await visitor.get("/rounds/\(round.idString)").body.string
            #expect(page.contains("/rounds/\(round.idString)/poster") && page.contains("/rounds/\(round.idString)/ballot"), "the round's page links to both sheets")
        }
    }

    @Test("a draft round has no sheets for the public, and an unknown round is not found")
    func draft() async throws {
        try await withDemilge { app in
            let round = try #require(try await BudgetRound.query(on: app.db).filter(\.$status == .voting).first())
            round.status = .draft
            try await round.save(on: app.db)
            let visitor = Browser(app)
            #expect(try await visitor.get("/rounds/\(round.idString)/ballot").status == .notFound)
            #expect(try await visitor.get("/rounds/\(round.idString)/poster").status == .notFound)
            #expect(try await visitor.get("/rounds/not-a-round/ballot").status == .notFound)
            let staff = try await Browser(app).signIn("staff.osh@demilge.kg")
            #expect(try await staff.get("/rounds/\(round.idString)/ballot").status == .ok, "its managers print it before publishing")
        }
    }
}

@Suite("The menu in sections")
struct NavigationTests {
    @Test("home, three sections and search; the section of the page being read is marked, and only a whole segment counts")
    func sections() throws {
        let navigation = Navigation(path: "/grants/grantees") { $0 }
        #expect(navigation.sections.map(\.label) == ["nav.section.take_part", "nav.section.decisions", "nav.section.open_data"])
        #expect(navigation.sections.map(\.current) == [false, true, false])
        #expect(navigation.sections[1].links.filter(\.current).map(\.href) == ["/grants"])
        #expect(!navigation.home.current && !navigation.search.current)
        #expect(Navigation(path: "/") { $0 }.home.current)
        #expect(!Navigation.isWithin("/groupsx", "/groups") && Navigation.isWithin("/groups", "/groups") && Navigation.isWithin("/groups/1", "/groups"))
        let everyPage = Navigation.groups.flatMap(\.pages).map(\.href)
        #expect(Set(everyPage).count == everyPage.count && everyPage.count == 12, "each section page once")
    }
}
