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
        async let figures = Figures.cached(subtree, req)
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
    /// progress, the kinds of problems still open, the latest visits and sessions. Computed once per subtree and kept
    /// (`PortalCache`) until the next write.
    struct Figures: Sendable {
        let ledger: GrantLedger
        let measures: (done: Int, total: Int)
        let openCategories: [ProblemCategory]
        /// The latest monitoring visits and needs assessments: each reads every one of an oblast's to sort them.
        let visits: [GrantVisit]
        let sessions: [AssessmentSession]

        /// The subtree's figures from this instance's `PortalCache` (one computation for readers arriving together).
        static func cached(_ subtree: Set<UUID>, _ req: Request) async throws -> Figures {
            let ids = Array(subtree), db = req.db
            return try await req.application.portalCache.figures(for: subtree) { try await compute(ids, on: db) }
        }

        static func compute(_ ids: [UUID], on db: any Database) async throws -> Figures {
            let grants = try await GrantApplication.query(on: db).filter(\.$territory.$id ~~ ids).filter(\.$status ~~ GrantDisplay.awarded).all()
            try await GrantApplication.loadLines(of: grants, on: db)
            let ledger = try await GrantLedgerLoader.total(of: grants, on: db)
            let measures = try await ActionMeasure.query(on: db).join(Commission.self, on: \ActionMeasure.$commission.$id == \Commission.$id)
                .filter(Commission.self, \.$territory.$id ~~ ids).field(\.$status).all()
            let open = try await Problem.query(on: db).filter(\.$territory.$id ~~ ids).filter(\.$hidden == false)
                .filter(\.$status ~~ ProblemStatus.allCases.filter(\.isOpen)).unique().field(\.$category).all()
            let visits = try await GrantVisit.query(on: db).join(GrantApplication.self, on: \GrantVisit.$application.$id == \GrantApplication.$id)
                .filter(GrantApplication.self, \.$territory.$id ~~ ids).filter(GrantApplication.self, \.$status ~~ GrantDisplay.awarded)
                .sort(\.$visitedOn, .descending).limit(5).all()
            let sessions = try await AssessmentSession.query(on: db).filter(\.$territory.$id ~~ ids).sort(\.$heldOn, .descending).limit(shown).all()
            return Figures(ledger: ledger,
                           measures: (measures.filter { $0.status == .done }.count, measures.filter { $0.status != .cancelled }.count),
                           openCategories: Array(Set(open.map(\.category))), visits: visits, sessions: sessions)
        }
    }
}
