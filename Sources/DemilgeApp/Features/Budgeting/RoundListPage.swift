import DemilgeCore
import Fluent
import Vapor

/// Every round, newest first; a draft only for those who may manage it.
struct RoundListPage: Encodable {
    struct Row: Encodable { let id: String; let title: String; let territory: TerritoryLink; let envelope: String; let status: String; let statusKey: String; let window: String }
    let rounds: [Row]
    let canCreate: Bool
    let canImport: Bool

    static func build(_ req: Request) async throws -> RoundListPage {
        // A draft is its staff's work in progress: listed only for those who may manage it.
        var rounds: [BudgetRound] = []
        for round in try await BudgetRound.query(on: req.db).with(\.$territory).sort(\.$opensOn, .descending).all() {
            if round.status != .draft { rounds.append(round); continue }
            guard Policy.allowsSomewhere(req.actor, .manageBudgetRound) else { continue }
            if req.can(.manageBudgetRound, on: try await RoundAccess.target(round, req)) { rounds.append(round) }
        }
        let manages = Policy.allowsSomewhere(req.actor, .manageBudgetRound)
        return RoundListPage(
            rounds: rounds.map { r in
                Row(id: r.idString, title: r.title, territory: TerritoryLink(r.territory, req.language, catalog: req.application.catalog),
                    envelope: Money(minorUnits: r.envelopeTyiyn).formatted(req.language), status: req.t(r.status.catalogKey), statusKey: r.status.rawValue,
                    window: r.window(req.language))
            },
            canCreate: manages, canImport: manages)
    }
}
