import DemilgeCore
import Fluent
import Vapor

/// The public account of a territory and everything under it: budgeting rounds, grants and their money by source
/// (planned, paid, spent), action-plan progress, monitoring findings, events hosted, practices, and practices from
/// elsewhere for the kinds of problems still open here.
struct TerritoryPortal: Encodable {
    struct Link: Encodable { let href: String; let label: String; let detail: String }
    struct MoneyRow: Encodable {
        let source: String; let planned: String; let paid: String; let spent: String

        static func rows(_ ledger: GrantLedger, _ req: Request) -> [MoneyRow] {
            ledger.rows.map { MoneyRow(source: req.t($0.source.catalogKey), planned: GrantDisplay.money($0.planned, req), paid: GrantDisplay.money($0.paid, req),
                                       spent: GrantDisplay.money($0.spent, req)) }
        }
    }

    let rounds: [Link], grants: [Link], money: [MoneyRow], hasMoney: Bool
    let measuresDone: Int, measuresTotal: Int
    let findings: [Link]
    let events: [Link], practices: [Link], solvedElsewhere: [Link]

    /// How many of each list a portal shows (the latest first); the lists' own pages hold the rest.
    static let shown = 12

    static func load(_ subtree: Set<UUID>, _ req: Request) async throws -> TerritoryPortal {
        let ids = Array(subtree), db = req.db
        async let rounds = BudgetRound.query(on: db).filter(\.$territory.$id ~~ ids).filter(\.$status != RoundStatus.draft)
            .sort(\.$opensOn, .descending).limit(shown).all()
        async let grants = GrantApplication.query(on: db).filter(\.$territory.$id ~~ ids).filter(\.$status ~~ GrantDisplay.awarded)
            .sort(\.$createdAt, .descending).limit(shown).all()
        async let figures = Figures.load(subtree, req)
        async let events = Event.query(on: db).filter(\.$host.$id ~~ ids).sort(\.$heldOn, .descending).limit(shown).all()
        async let practices = Practice.query(on: db).filter(\.$territory.$id ~~ ids).sort(\.$publishedOn, .descending).limit(shown).all()
        let portal = try await figures
        let visits = portal.visits
        let elsewhere = portal.openCategories.isEmpty ? [] : try await Practice.query(on: db).filter(\.$theme ~~ portal.openCategories)
            .filter(\.$territory.$id !~ ids).with(\.$territory).sort(\.$publishedOn, .descending).limit(shown).all()
        let ledger = portal.ledger, measures = portal.measures
        let money = { (tyiyn: Int64) in GrantDisplay.money(tyiyn, req) }
        return TerritoryPortal(
            rounds: try await rounds.map { Link(href: SitePath.round($0.id).path, label: $0.title, detail: req.t($0.status.catalogKey)) },
            grants: try await grants.map { Link(href: SitePath.application($0.id).path, label: $0.title, detail: "\(money($0.requestedTyiyn)) · \(req.t($0.status.catalogKey))") },
            money: MoneyRow.rows(ledger, req),
            hasMoney: !ledger.rows.isEmpty,
            measuresDone: measures.done, measuresTotal: measures.total,
            findings: visits.map { v in
                Link(href: SitePath.applicationVisits(v.$application.id).path, label: v.visitedOn.formatted(req.language), detail: v.findings)
            },
            events: try await events.map { Link(href: SitePath.event($0.id).path, label: $0.title, detail: $0.heldOn.formatted(req.language)) },
            practices: try await practices.map { Link(href: SitePath.practice($0.id).path, label: $0.title, detail: "") },
            solvedElsewhere: elsewhere.map { Link(href: SitePath.practice($0.id).path, label: $0.title, detail: $0.territory.name.text(req.language)) })
    }
}

extension TerritoryPortal {
    /// What a portal adds up or sorts over the whole subtree: the money of its awarded grants, its action plans'
    /// progress, the problems still open and solved, the latest visits and sessions. Added up from each place's stored
    /// figures (`PlaceFiguresStore`, this instance's `PlaceFiguresMirror`), never from the subtree's records.
    struct Figures: Sendable {
        let ledger: GrantLedger
        let measures: (done: Int, total: Int)
        let openCategories: [ProblemCategory]
        let openProblems: Int, solvedProblems: Int
        let visits: [GrantVisit]
        let sessions: [AssessmentSession]

        static func load(_ subtree: Set<UUID>, _ req: Request) async throws -> Figures {
            let sum = try await req.placeFigures(Array(subtree)), db = req.db
            async let visits = Self.records(GrantVisit.self, sum.latestVisits, on: db)
            async let sessions = Self.records(AssessmentSession.self, sum.latestSessions, on: db)
            return Figures(ledger: sum.grants(programme: nil).ledger, measures: (sum.measuresDone, sum.measuresTotal),
                           openCategories: sum.openCategories, openProblems: sum.openProblems, solvedProblems: sum.problemsSolved,
                           visits: try await visits, sessions: try await sessions)
        }

        /// The records a "latest" list names, in its order.
        private static func records<M: Model>(_ model: M.Type, _ latest: [PlaceFigures.Dated], on db: any Database) async throws -> [M]
        where M.IDValue == UUID {
            guard !latest.isEmpty else { return [] }
            let byID = Dictionary(firstValues: try await M.query(on: db).filter(\._$id ~~ latest.map(\.id)).all().compactMap { record in record.id.map { ($0, record) } })
            return latest.compactMap { byID[$0.id] }
        }
    }
}
