import DemilgeCore
import Vapor

/// A round on paper, for A4 from the browser: the ballot handed out at village meetings and the poster that announces
/// the vote. Both follow the reader's language, so a ballot in Kyrgyz and one in Russian are a language switch apart.
struct RoundPrintController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("rounds", ":id", "ballot", use: ballot)
        routes.get("rounds", ":id", "poster", use: poster)
    }

    func ballot(req: Request) async throws -> Response {
        let page = try await RoundPrintPage.build(req)
        return try await req.page("rounds/ballot", titleKey: "print.ballot", page, title: req.t("print.ballot") + " · " + page.title)
    }

    func poster(req: Request) async throws -> Response {
        let page = try await RoundPrintPage.build(req)
        return try await req.page("rounds/poster", titleKey: "print.poster", page, title: page.title)
    }
}

/// What both sheets print: the projects with their costs, how to mark the ballot, when and where to vote.
struct RoundPrintPage: Encodable {
    struct Project: Encodable {
        let code: String, title: String, cost: String
    }

    let id: String, title: String, territory: String, envelope: String, window: String
    let projects: [Project]
    /// How to fill in this kind of ballot, with the round's limits.
    let howTo: String
    let limits: String
    /// The poster's invitation: who decides about how much.
    let lead: String
    let points: Bool
    let onlineAddress: String

    static func build(_ req: Request) async throws -> RoundPrintPage {
        let round = try await RoundAccess.load(req)
        // A draft has no projects to print yet and is its managers' own until they publish it.
        if round.status == .draft, !req.can(.manageBudgetRound, on: try await RoundAccess.target(round, req)) { throw DemilgeError.notFound }
        let data = try await RoundData.load(round, on: req.db, ballots: .none, problems: false)
        let envelope = Money(minorUnits: round.envelopeTyiyn).formatted(req.language)
        let territory = round.territory.name.display(req.language).text
        let howTo: String = switch round.type {
        case .approval: req.t("print.how.approval")
        case .knapsack: req.t("print.how.knapsack", ["envelope": envelope])
        case .cumulative: req.t("print.how.cumulative")
        }
        return RoundPrintPage(
            id: round.idString, title: round.title, territory: territory, envelope: envelope,
            window: round.window(req.language),
            projects: data.projects.map { Project(code: $0.code, title: $0.title, cost: Money(minorUnits: $0.costTyiyn).formatted(req.language)) },
            howTo: howTo, limits: round.ballotLimits(req) ?? "", lead: req.t("print.poster.lead", ["territory": territory, "envelope": envelope]), points: round.type == .cumulative,
            onlineAddress: PublicURL.base(req.application) + "/rounds/" + round.idString)
    }
}
