@testable import DemilgeApp
import DemilgeCore
import Fluent
import Foundation
import Testing
import Vapor

/// Pages on a generated country (a thousandth of the national figures): lists are paged in a stable order, place
/// pickers narrow instead of listing the country, portals show the latest few, and the territories every page
/// walks come from this instance's cache, current with the database.
@Suite("Pages at a country's scale")
struct ScalePageTests {
    static func withCountry(_ body: (Application) async throws -> Void) async throws {
        try await withFreshDatabase(prepared: false) { app in
            _ = try await NationalData.load(into: app, scale: NationalSeedTests.tiny, seed: 3)
            try await body(app)
        }
    }

    static func visitor(_ app: Application, _ query: String = "") -> Request { PublicPageModelTests.visitor(app, .ky, query: query) }

    @Test("the problems list is paged: a page holds 50, the next page the next 50 in the same order, with links both ways")
    func problemsPaged() async throws {
        try await Self.withCountry { app in
            let listed = try await Problem.query(on: app.db).filter(\.$hidden == false).filter(\.$mergedInto.$id == nil).count()
            #expect(listed > 2 * ProblemListPage.perPage)
            let first = try await ProblemListPage.build(Self.visitor(app), filters: ProblemFilters(Self.visitor(app)))
            let second = try await ProblemListPage.build(Self.visitor(app, "page=2"), filters: ProblemFilters(Self.visitor(app, "page=2")))
            #expect(first.problems.count == ProblemListPage.perPage && second.problems.count == ProblemListPage.perPage)
            #expect(Set(first.problems.map(\.id)).isDisjoint(with: second.problems.map(\.id)))
            #expect((first.problems + second.problems).map(\.supports) == (first.problems + second.problems).map(\.supports).sorted(by: >))
            #expect(first.pages.previous == nil && first.pages.next == "/problems?page=2")
            #expect(second.pages.previous == "/problems?page=1" && second.pages.next == "/problems?page=3")
            let all = try await ProblemFilters(Self.visitor(app)).listed(on: app.db).map(\.idString)
            #expect(Array(all.prefix(2 * ProblemListPage.perPage)) == (first.problems + second.problems).map(\.id), "pages follow the export's order")
        }
    }

    @Test("the place filter narrows: the top level alone, then the places under each step down to the chosen one")
    func placesNarrow() async throws {
        try await Self.withCountry { app in
            let directory = try await Self.visitor(app).territoryDirectory()
            let top = try await PlaceGroup.narrowing(Self.visitor(app), selected: "")
            #expect(top.count == 1 && top[0].options.count == directory.roots.count)
            let village = try #require(directory.all.max { directory.path(to: $0).count < directory.path(to: $1).count })
            #expect(directory.path(to: village).count >= 3, "a place two steps under the top level")
            let path = directory.path(to: village)
            let narrowed = try await PlaceGroup.narrowing(Self.visitor(app), selected: village.code)
            #expect(narrowed.count == path.count, "the top level, then one group per step that has places under it")
            #expect(narrowed.flatMap(\.options).filter(\.selected).map(\.code) == [village.code])
            #expect(narrowed.flatMap(\.options).count < directory.all.count / 4, "never the whole country")
            let page = try await ProblemListPage.build(Self.visitor(app, "territory=\(village.code)"), filters: ProblemFilters(Self.visitor(app, "territory=\(village.code)")))
            #expect(page.places.flatMap(\.options).count == narrowed.flatMap(\.options).count)
        }
    }

    @Test("an oblast's portal shows the latest few of each list and counts the rest")
    func portalBounded() async throws {
        try await Self.withCountry { app in
            let directory = try await Self.visitor(app).territoryDirectory()
            let oblast = try #require(directory.roots.first { $0.code == "KG-C" })
            let subtree = directory.subtree(of: oblast)
            let page = try await TerritoryPage.build(Self.visitor(app), oblast, directory: directory)
            let problems = try await Problem.query(on: app.db).filter(\.$territory.$id ~~ Array(subtree)).filter(\.$hidden == false)
                .filter(\.$mergedInto.$id == nil).all()
            #expect(page.community.openProblems == problems.filter { $0.status.isOpen }.count)
            #expect(page.community.solvedProblems == problems.filter { $0.status == .solved }.count)
            #expect(page.community.sessions.count <= TerritoryPortal.shown && page.portal.rounds.count <= TerritoryPortal.shown)
            #expect(page.portal.grants.count <= TerritoryPortal.shown && page.organisations.count <= 2 * TerritoryPortal.shown)
            let sessions = try await AssessmentSession.query(on: app.db).filter(\.$territory.$id ~~ Array(subtree)).count()
            #expect(page.community.sessions.count == min(sessions, TerritoryPortal.shown))
        }
    }

    @Test("an edit of a territory shows on the next page: the cached directory follows the database")
    func directoryFollowsEdits() async throws {
        try await withDemilge { app in
            let before = try await Self.visitor(app).territoryDirectory()
            let territory = try #require(try await Territory.query(on: app.db).filter(\.$code == "KG-C").first())
            territory.nameKy = "Чүй облусу (жаңы)"
            territory.version += 1
            try await app.write { db in try await territory.update(on: db) }
            let after = try await Self.visitor(app).territoryDirectory()
            #expect(before.byCode["KG-C"]?.nameKy != "Чүй облусу (жаңы)" && after.byCode["KG-C"]?.nameKy == "Чүй облусу (жаңы)")
            let added = Territory(code: "KG-C-test", kind: .settlement, parentID: territory.id, isoCode: nil, name: LocalizedText(ky: "Жаңы айыл"), aliases: [])
            try await app.write { db in try await added.create(on: db) }
            #expect(try await Self.visitor(app).territoryDirectory().byCode["KG-C-test"] != nil)
            let places = try await PlaceGroup.choices(Self.visitor(app), selected: "KG-C-test")
            #expect(places.flatMap(\.options).filter(\.selected).map(\.code) == ["KG-C-test"], "the sorted pickers follow too")
        }
    }
}
