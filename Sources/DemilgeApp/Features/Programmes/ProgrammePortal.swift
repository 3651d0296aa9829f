import DemilgeCore
import Fluent
import Vapor

/// What a programme has done, in public: its calls, the grants it awarded and their money by source, its events.
struct ProgrammePortal: Encodable {
    typealias Link = TerritoryPortal.Link
    let calls: [Link], grants: Int, money: [TerritoryPortal.MoneyRow], hasMoney: Bool, leverage: String, events: [Link]

    static func load(_ programme: Programme, _ req: Request) async throws -> ProgrammePortal {
        let calls = try await GrantCall.query(on: req.db).filter(\.$programme.$id == (try programme.requireID())).filter(\.$status != CallStatus.draft)
            .sort(\.$deadline, .descending).all()
        let grants = try await IATIActivities.awardedGrants(of: programme, on: req.db)
        let ledger = try await GrantLedgerLoader.total(of: grants, on: req.db)
        let events = try await Event.query(on: req.db).filter(\.$programme.$id == (try programme.requireID())).sort(\.$heldOn, .descending).all()
        return ProgrammePortal(
            calls: calls.map { Link(href: SitePath.call($0.id).path, label: $0.title, detail: req.t($0.status.catalogKey)) },
            grants: grants.count, money: TerritoryPortal.MoneyRow.rows(ledger, req), hasMoney: !ledger.rows.isEmpty,
            leverage: ledger.leverage.map { Formatters.decimal($0.decimal(digits: 2), fractionDigits: 2, req.language) } ?? "—",
            events: events.map { Link(href: SitePath.event($0.id).path, label: $0.title, detail: $0.heldOn.formatted(req.language)) })
    }
}
