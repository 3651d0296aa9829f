import DemilgeCore
import Fluent
import Vapor

/// A budgeting round's page: its terms, projects (with the reader's ballot, as stored or as just sent), what the
/// reader may do, and counts once voting has closed.
struct RoundPage: Encodable {
    struct ProjectView: Encodable {
        let code: String, title: String, description: String, cost: String, costTyiyn: Int64
        let problems: [Option]
        let hasProblems: Bool
        let checked: Bool
        let points: String
    }

    let id: String, title: String, description: String, territory: TerritoryLink
    /// The territory and those above it, country first: the page's breadcrumb.
    let trail: [TerritoryLink]
    let envelope: String, envelopeTyiyn: Int64, status: String, statusKey: String, window: String
    let ballotType: String, ballotTypeKey: String, rule: String, limits: String
    /// Why the commission chose the rule (empty until written).
    let ruleReason: String
    let projects: [ProjectView]
    let isOpen: Bool
    let canVote: Bool
    let voteBlocked: String
    /// The reader could vote once verified against the roll: the page links to the verification.
    let mayVerify: Bool
    let hasBallot: Bool
    let chosenTotal: String
    let remaining: String
    let overBudget: Bool
    let canManage: Bool
    let canEnterPaper: Bool
    /// A voter's ballot or the managers' forms (a visitor is shown neither, so the page can be kept for visitors).
    var hasForms: Bool { canVote || canManage }
    let nextStatus: String
    let nextStatusLabel: String
    let version: Int
    let problemOptions: [Option]
    let resultsVisible: Bool
    let countsVisible: Bool
    let online: Int, paper: Int, imported: Int
    /// Who may vote, as a sentence (a self-declared round says that residence is not checked).
    let eligibility: String, eligibilityKey: String
    /// Verified residents who voted online, and people marked at the paper desk; the turnout table by sex and age.
    let verifiedOnline: Int, deskPaper: Int
    let turnout: [RoundTurnout.Row]
    let ageBands: [String]
    let hasTurnout: Bool
    let form: FormState
    let formName: String
    let ballotErrors: [String]
    let hasBallotErrors: Bool
    let currencyUnit: String

    /// The voter's choices: from the form just sent (kept after an error), or their stored ballot.
    /// The follow button, for a signed-in reader.
    var follow: FollowButton? = nil

    static func build(_ req: Request, _ round: BudgetRound, form: FormState, formName: String, ballot submitted: [BallotChoice]?,
                      ballotErrors: [String]) async throws -> RoundPage {
        let user = req.actor.userID
        let data = try await RoundData.load(round, on: req.db, ballots: .of(user))
        // No count of any kind while voting is open: turnout by channel is shown once voting has closed.
        let countsVisible = [.counting, .published].contains(round.status)
        let counts = countsVisible ? try await RoundData.counts(try round.requireID(), on: req.db) : [:]
        let turnout = countsVisible ? try await RoundTurnout.load(try round.requireID(), on: req.db) : RoundTurnout()
        let target = try await RoundAccess.target(round, req)
        let stored = user.flatMap { id in data.ballots.first { $0.channel == .online && $0.voter == id }?.choices }
        let choices = submitted ?? stored ?? []
        let eligibility = try await RoundAccess.eligibility(req, round)
        let today = Day.today()
        let chosenTotal = Money.sum(choices.map { data.costs.indices.contains($0.project) ? data.costs[$0.project] : 0 })
        let directory = try await req.territoryDirectory()
        let problems = try await Problem.query(on: req.db).filter(\.$territory.$id ~~ Array(directory.subtree(of: round.$territory.id)))
            .filter(\.$hidden == false).filter(\.$mergedInto.$id == nil).sort(\.$supportCount, .descending).all()
        let limits = round.ballotLimits(req) ?? req.t(round.type == .knapsack ? "rounds.limits_knapsack" : "rounds.limits_any")
        let next = round.status.next
        return RoundPage(
            id: round.idString, title: round.title, description: round.description,
            territory: TerritoryLink(round.territory, req.language, catalog: req.application.catalog), trail: try await req.territoryTrail(round.territory),
            envelope: Money(minorUnits: round.envelopeTyiyn).formatted(req.language), envelopeTyiyn: round.envelopeTyiyn,
            status: req.t(round.status.catalogKey), statusKey: round.status.rawValue,
            window: round.window(req.language),
            ballotType: req.t(round.type.catalogKey), ballotTypeKey: round.type.rawValue, rule: req.t("rule.\(round.rule)"), limits: limits, ruleReason: round.ruleReason ?? "",
            projects: data.projects.enumerated().map { index, project in
                let choice = choices.first { $0.project == index }
                return ProjectView(code: project.code, title: project.title, description: project.description,
                                   cost: Money(minorUnits: project.costTyiyn).formatted(req.language), costTyiyn: project.costTyiyn,
                                   problems: project.problems.map { Option(value: $0.idString, label: $0.title, selected: false) },
                                   hasProblems: !project.problems.isEmpty,
                                   checked: choice != nil, points: choice.map { String($0.points) } ?? "")
            },
            isOpen: round.isOpen(on: today), canVote: round.isOpen(on: today) && eligibility == nil,
            voteBlocked: round.isOpen(on: today) ? (eligibility.map { req.t($0, ["territory": round.territory.name.display(req.language).text]) } ?? "") : "",
            mayVerify: eligibility == "rounds.verify_to_vote",
            hasBallot: stored != nil,
            chosenTotal: Money(minorUnits: chosenTotal).formatted(req.language),
            remaining: Money(minorUnits: round.envelopeTyiyn.saturatingSubtracting(chosenTotal)).formatted(req.language),
            overBudget: chosenTotal > round.envelopeTyiyn,
            canManage: req.can(.manageBudgetRound, on: target), canEnterPaper: req.can(.enterPaperBallots, on: target) && round.acceptsPaper(on: today),
            nextStatus: next?.rawValue ?? "", nextStatusLabel: next.map { req.t("rounds.move_to", ["status": req.t($0.catalogKey)]) } ?? "",
            version: round.version,
            problemOptions: problems.map { Option(value: $0.idString, label: $0.title, selected: false) },
            resultsVisible: round.status == .published || (round.status == .counting && req.can(.manageBudgetRound, on: target)),
            countsVisible: countsVisible,
            online: counts[.online] ?? 0, paper: counts[.paper] ?? 0, imported: counts[.imported] ?? 0,
            eligibility: req.t(round.eligibility.catalogKey), eligibilityKey: round.eligibility.rawValue,
            verifiedOnline: turnout.online, deskPaper: turnout.paper, turnout: turnout.rows(req),
            ageBands: AgeBand.allCases.map { req.t($0.catalogKey) }, hasTurnout: turnout.table.total > 0,
            form: form, formName: formName, ballotErrors: ballotErrors, hasBallotErrors: !ballotErrors.isEmpty, currencyUnit: Currency.kgs.unit(req.language))
    }

}

extension BudgetRound {
    /// The voting window as the pages and sheets write it.
    func window(_ language: Language) -> String {
        "\(opensOn.formatted(language)) — \(closesOn.formatted(language))"
    }

    /// The ballot's own limits (how many projects, how many points), or nil where it has none.
    func ballotLimits(_ req: Request) -> String? {
        switch type {
        case .cumulative: return req.t("rounds.limits_points", ["points": String(pointsTotal ?? 0)])
        case .knapsack: return nil
        case .approval:
            let parts = [minChoices.map { req.t("rounds.limits_min", ["count": String($0)]) },
                         maxChoices.map { req.t("rounds.limits_max", ["count": String($0)]) }].compactMap { $0 }
            return parts.isEmpty ? nil : parts.joined(separator: "; ")
        }
    }
}
