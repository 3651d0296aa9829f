import DemilgeCore
import Fluent
import Vapor

/// A round from the address, the place whose staff manage it, and whether the signed-in person may vote in it.
enum RoundAccess {
    static func load(_ req: Request) async throws -> BudgetRound {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
              let round = try await BudgetRound.query(on: req.db).filter(\.$id == id).with(\.$territory).first() else { throw DemilgeError.notFound }
        return round
    }

    static func target(_ round: BudgetRound, _ req: Request) async throws -> Target {
        try await TerritoryPath.target(round.$territory.id, on: req.db)
    }

    /// nil when the signed-in user may vote in the round, else the catalog key saying why not. A verified round
    /// takes only accounts verified as residents of its territory; a self-declared one also takes declared residents.
    static func eligibility(_ req: Request, _ round: BudgetRound) async throws -> String? {
        guard req.actor.isSignedIn, let userID = req.actor.userID else { return "rounds.sign_in_to_vote" }
        if round.eligibility == .verified {
            guard let resident = try await VerifiedResident.of(userID, on: req.db) else { return "rounds.verify_to_vote" }
            return resident.livesIn(try await req.territoryDirectory().subtree(of: round.$territory.id)) ? nil : "rounds.not_resident"
        }
        var residences: [[UUID]] = []
        for grant in req.actor.grants where grant.role == .resident {
            if case .territory(let id) = grant.scope { residences.append(try await TerritoryPath.ids(from: id, req)) }
        }
        return Policy.isEligibleVoter(req.actor, residences: residences, roundTerritory: round.$territory.id) ? nil : "rounds.not_resident"
    }

    /// Results are public once published; staff of the round's territory preview them while counting. Nobody sees
    /// a tally while voting is open.
    static func resultsVisible(_ req: Request, _ round: BudgetRound) async throws -> Bool {
        if round.status == .published { return true }
        guard round.status == .counting else { return false }
        return req.can(.manageBudgetRound, on: try await RoundAccess.target(round, req))
    }
}
