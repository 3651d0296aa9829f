import DemilgeCore
import Fluent
import Vapor

/// Results of a round under its rule, explained project by project and to each voter. Results are read from the stored outcome
/// (`RoundResultStore`): no rule runs for a reader.
struct RoundResultsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("rounds", ":id", "results", use: results)
    }

    func results(req: Request) async throws -> Response {
        let round = try await RoundAccess.load(req)
        guard try await RoundAccess.resultsVisible(req, round) else { throw DemilgeError.notFound }
        let roundID = try round.requireID()
        guard let stored = try await RoundResultStore.load(roundID, on: req.db) else {
            return try await req.page("rounds/pending", titleKey: "results.pending_title", ["id": roundID.uuidString.lowercased()], status: .accepted)
        }
        return try await req.page("rounds/results", titleKey: "results.title", titleArguments: ["round": round.title],
                                  try await ResultsPage.build(req, round, stored))
    }
}
