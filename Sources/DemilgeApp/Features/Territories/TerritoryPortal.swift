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

    static func load(_ subtree: Set<UUID>, _ req: Request) async throws -> TerritoryPortal {
        let ids = Array(subtree)
        let rounds = try await BudgetRound.query(on: req.db).filter(\.$territory.$id ~~ ids).filter(\.$status != RoundStatus.draft)
            .sort(\.$opensOn, .descending).all()
        let grants = try await GrantApplication.query(on: req.db).filter(\.$territory.$id ~~ ids).filter(\.$status ~~ GrantDisplay.awarded)
            .with(\.$lines).sort(\.$title).all()
        let ledger = try await GrantLedgerLoader.total(of: grants, on: req.db)
        let commissions = try await Commission.query(on: req.db).filter(\.$territory.$id ~~ ids).all().compactMap(\.id)
        let measures = commissions.isEmpty ? [] : try await ActionMeasure.query(on: req.db).filter(\.$commission.$id ~~ commissions).all()
        let grantIDs = grants.compactMap(\.id)
        let visits = grantIDs.isEmpty ? [] : try await GrantVisit.query(on: req.db).filter(\.$application.$id ~~ grantIDs).sort(\.$visitedOn, .descending).limit(5).all()
        let events = try await Event.query(on: req.db).filter(\.$host.$id ~~ ids).sort(\.$heldOn, .descending).all()
        let practices = try await Practice.query(on: req.db).filter(\.$territory.$id ~~ ids).all()
        let openCategories = Set(try await Problem.query(on: req.db).filter(\.$territory.$id ~~ ids).filter(\.$hidden == false).all()
            .filter { $0.status.isOpen }.map(\.category))
        let elsewhere = openCategories.isEmpty ? [] : try await Practice.query(on: req.db).filter(\.$theme ~~ Array(openCategories)).with(\.$territory).all()
            .filter { !subtree.contains($0.$territory.id) }
        let money = { (tyiyn: Int64) in GrantDisplay.money(tyiyn, req) }
        return TerritoryPortal(
            rounds: rounds.map { Link(href: SitePath.round($0.id).path, label: $0.title, detail: req.t($0.status.catalogKey)) },
            grants: grants.map { Link(href: SitePath.application($0.id).path, label: $0.title, detail: "\(money($0.requestedTyiyn)) · \(req.t($0.status.catalogKey))") },
            money: MoneyRow.rows(ledger, req),
            hasMoney: !ledger.rows.isEmpty,
            measuresDone: measures.filter { $0.status == .done }.count, measuresTotal: measures.filter { $0.status != .cancelled }.count,
            findings: visits.map { v in
                Link(href: SitePath.applicationVisits(v.$application.id).path, label: v.visitedOn.formatted(req.language), detail: v.findings)
            },
            events: events.map { Link(href: SitePath.event($0.id).path, label: $0.title, detail: $0.heldOn.formatted(req.language)) },
            practices: practices.map { Link(href: SitePath.practice($0.id).path, label: $0.title, detail: "") },
            solvedElsewhere: elsewhere.map { Link(href: SitePath.practice($0.id).path, label: $0.title, detail: $0.territory.name.text(req.language)) })
    }
}
