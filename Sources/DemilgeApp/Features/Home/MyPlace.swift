import DemilgeCore
import Fluent
import Vapor

/// The home page's first section for a visitor who said where they live (remembered in the `place` cookie, no account
/// needed): what is open there now — a round to vote in with the days left, a call to apply to — the priorities the
/// community and its commission chose, and what was solved and built. A round or call of a place above counts (a
/// city's round is its settlements' too), and so does one of a place below it.
struct MyPlace: Encodable {
    struct Item: Encodable { let href: String; let label: String; let detail: String }

    static let cookie = PageCacheMiddleware.placeCookie
    static let shown = 5

    let place: TerritoryLink
    let path: [TerritoryLink]
    let rounds: [Item], calls: [Item], priorities: [Item], done: [Item]
    var isQuiet: Bool { rounds.isEmpty && calls.isEmpty && priorities.isEmpty && done.isEmpty }

    /// The place the visitor chose, when it is one.
    static func chosen(_ req: Request) async throws -> Territory? {
        guard let code = req.cookies[cookie]?.string, !code.isEmpty, code.utf8.count <= 100 else { return nil }
        return try await req.territoryDirectory().byCode[code]
    }

    static func load(_ place: Territory, _ req: Request) async throws -> MyPlace {
        let directory = try await req.territoryDirectory(), language = req.language, catalog = req.application.catalog
        let placeID = try place.requireID()
        let trail = directory.path(to: place)
        let above = trail.compactMap(\.id)
        let under = directory.subtree(of: placeID)
        let related = Array(under.union(above))
        let today = Day.today(), db = req.db

        async let voting = BudgetRound.query(on: db).filter(\.$territory.$id ~~ related).filter(\.$status == .voting)
            .filter(\.$opensOn <= today).filter(\.$closesOn >= today).sort(\.$closesOn).limit(shown).all()
        async let open = GrantCall.query(on: db).filter(\.$status == .open).filter(\.$deadline >= today).sort(\.$deadline).all()
        async let prioritised = Problem.query(on: db).filter(\.$territory.$id ~~ Array(under)).filter(\.$hidden == false)
            .filter(\.$status == .prioritised).sort(\.$supportCount, .descending).sort(\.$id).limit(shown).all()
        async let solved = Problem.query(on: db).filter(\.$territory.$id ~~ Array(under)).filter(\.$hidden == false)
            .filter(\.$status == .solved).sort(\.$createdAt, .descending).sort(\.$id).limit(shown).all()
        async let built = GrantApplication.query(on: db).filter(\.$territory.$id ~~ Array(under))
            .filter(\.$status ~~ [GrantStatus.completed, .closed]).sort(\.$title).limit(shown).all()

        let eligible = Set(related)
        let calls = try await open.filter { call in call.territoryIDs.isEmpty || call.territoryIDs.contains(where: eligible.contains) }.prefix(shown)
        return MyPlace(
            place: TerritoryLink(place, language, catalog: catalog),
            path: trail.map { TerritoryLink($0, language, catalog: catalog) },
            rounds: try await voting.map { round in
                Item(href: SitePath.round(round.id).path, label: round.title,
                     detail: req.t("home.place.days_left", ["days": String(Self.days(from: today, to: round.closesOn))]))
            },
            calls: calls.map { Item(href: SitePath.call($0.id).path, label: $0.title, detail: req.t("grants.deadline") + ": " + $0.deadline.formatted(language)) },
            priorities: try await prioritised.map { Item(href: SitePath.problem($0.id).path, label: $0.title, detail: req.t($0.category.catalogKey)) },
            done: try await solved.map { Item(href: SitePath.problem($0.id).path, label: $0.title, detail: req.t(ProblemStatus.solved.catalogKey)) }
                + (try await built).map { Item(href: SitePath.application($0.id).path, label: $0.title, detail: req.t($0.status.catalogKey)) })
    }

    /// Days left to vote, the last day included: a round closing today has 1, one closing tomorrow 2.
    static func days(from start: Day, to end: Day) -> Int {
        let calendar = Calendar(identifier: .gregorian)
        return max(0, calendar.dateComponents([.day], from: start.noon, to: end.noon).day ?? 0) + 1
    }
}
