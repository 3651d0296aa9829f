import DemilgeCore
import Fluent
import Vapor

/// A round's results as stored when voting closed: projects funded and not, why, votes per channel, what the
/// comparison rule would have funded, and for a voter where their share went.
struct ResultsPage: Encodable {
    struct Row: Encodable {
        let code: String, title: String, online: Int, paper: Int, imported: Int, total: Int
        let cost: String, share: String, funded: Bool, otherFunded: Bool, why: String, mine: Bool, myPayment: String
    }

    let id: String, title: String, territory: TerritoryLink, envelope: String, rule: String, otherRule: String
    /// Why the commission chose the rule (empty until written).
    let ruleReason: String
    let online: Int, paper: Int, imported: Int, pointsWord: Bool
    /// Who could vote, and how many ballots came from residents verified against the roll (online, and marked at the
    /// paper desk): a self-declared round's results say how much of them is verified.
    let eligibility: String, eligibilityKey: String, verifiedOnline: Int, deskPaper: Int
    let rows: [Row]
    let spent: String, left: String
    let explained: Bool
    let voted: Bool
    let myFunded: [String]
    let myUnfunded: [String]
    let hasMyFunded: Bool
    let hasMyUnfunded: Bool
    let yourShare: String
    let status: String
    let heading: String
    let comparison: String
    /// False when the comparison rule could not be computed within its bound.
    let hasComparison: Bool
    /// How fair the rule (and the comparison rule) is to the voters; empty for results counted before this was kept.
    let fairness: [FairnessRow]
    let fairnessSentence: String
    let hasFairness: Bool

    struct FairnessRow: Encodable {
        let label: String, mine: String, other: String
    }

    static func build(_ req: Request, _ round: BudgetRound, _ stored: RoundResult) async throws -> ResultsPage {
        let roundID = try round.requireID()
        async let loaded = RoundData.load(round, on: req.db, ballots: .of(req.actor.userID))
        async let verified = RoundTurnout.load(roundID, on: req.db)
        let data = try await loaded, turnout = try await verified
        let language = req.language
        func money(_ value: Rational) -> String { Money(som: value).formatted(language) }
        let funded = Set(stored.selected), otherFunded = Set(stored.comparisonSelected ?? [])
        let mine = data.ballots.first { $0.channel == .online && $0.voter != nil }
        let myChoices = Set(mine.map { $0.choices.map(\.project) } ?? [])
        let myShare = try await mine.asyncFlatMap { ballot in
            try await RoundVoterShare.query(on: req.db).filter(\.$round.$id == roundID).filter(\.$ballot.$id == ballot.id).first()?.share
        }
        let titles = Dictionary(firstValues: data.projects.map { ($0.code, $0.title) })
        let rows = data.projects.indices.map { index -> Row in
            let project = data.projects[index]
            let votes = stored.votes[project.code]?.byChannel ?? [:]
            let paid = myShare?.payments.first { $0.project == project.code }?.exactAmount
            return Row(code: project.code, title: project.title, online: votes["online"] ?? 0, paper: votes["paper"] ?? 0, imported: votes["imported"] ?? 0,
                       total: stored.votes[project.code]?.total ?? 0, cost: Money(minorUnits: project.costTyiyn).formatted(language),
                       share: percent(project.costTyiyn, of: round.envelopeTyiyn, language),
                       funded: funded.contains(project.code), otherFunded: otherFunded.contains(project.code),
                       why: stored.verdicts?[project.code].map { why($0, rule: round.rule, titles: titles, req) } ?? "",
                       mine: myChoices.contains(index), myPayment: paid.map(money) ?? "")
        }.sorted { ($0.funded ? 0 : 1, -$0.total) < ($1.funded ? 0 : 1, -$1.total) }
        let myProjects = myChoices.sorted().map { data.projects[$0] }
        let envelope = Money(minorUnits: round.envelopeTyiyn).som
        let otherRule = stored.comparisonRule ?? stored.rule
        return ResultsPage(
            id: roundID.uuidString.lowercased(), title: round.title, territory: TerritoryLink(round.territory, language, catalog: req.application.catalog),
            envelope: Money(minorUnits: round.envelopeTyiyn).formatted(language), rule: req.t("rule.\(stored.rule)"), otherRule: req.t("rule.\(otherRule)"), ruleReason: round.ruleReason ?? "",
            online: stored.ballots["online"] ?? 0, paper: stored.ballots["paper"] ?? 0, imported: stored.ballots["imported"] ?? 0,
            pointsWord: round.type == .cumulative,
            eligibility: req.t(round.eligibility.catalogKey), eligibilityKey: round.eligibility.rawValue,
            verifiedOnline: turnout.online, deskPaper: turnout.paper,
            rows: rows, spent: money(stored.exactCost), left: money(envelope - stored.exactCost),
            explained: stored.verdicts != nil, voted: mine != nil,
            myFunded: myProjects.filter { funded.contains($0.code) }.map(\.title),
            myUnfunded: myProjects.filter { !funded.contains($0.code) }.map(\.title),
            hasMyFunded: myProjects.contains { funded.contains($0.code) }, hasMyUnfunded: myProjects.contains { !funded.contains($0.code) },
            yourShare: stored.exactPerVoterBudget.map { req.t("results.your_share", ["money": money($0)]) } ?? "",
            status: req.t(round.status.catalogKey), heading: req.t("results.title", ["round": round.title]),
            comparison: req.t("results.comparison", ["other": req.t("rule.\(otherRule)"), "spent": money(stored.exactComparisonCost),
                                                     "count": String(stored.comparisonSelected?.count ?? 0)]),
            hasComparison: stored.comparisonRule != nil,
            fairness: fairnessRows(stored, req), fairnessSentence: stored.measures.map { fairnessSentence($0, req) } ?? "",
            hasFairness: stored.measures != nil)
    }

    /// "7 of 10 voters got at least one project they voted for (70 %)."
    static func fairnessSentence(_ measures: RoundResult.Fairness, _ req: Request) -> String {
        req.t("results.fairness.sentence", reached(measures, req.language))
    }

    /// "{with} of {voters} ({percent})": the arguments of the sentence and of the table's first row.
    static func reached(_ measures: RoundResult.Fairness, _ language: Language) -> [String: String] {
        ["with": String(measures.votersWithAProject), "voters": String(measures.voters),
         "percent": percent(Int64(measures.votersWithAProject), of: Int64(measures.voters), language)]
    }

    /// The measures side by side for the round's rule and the comparison rule, each in the reader's words.
    static func fairnessRows(_ stored: RoundResult, _ req: Request) -> [FairnessRow] {
        guard let mine = stored.measures else { return [] }
        let other = stored.comparisonMeasures.map { fairnessCells($0, req) }
        return zip(fairnessLabels(req), fairnessCells(mine, req)).enumerated().map { index, row in
            FairnessRow(label: row.0, mine: row.1, other: other.map { $0[index] } ?? "")
        }
    }

    private static let fairnessKeys = ["results.fairness.with_project", "results.fairness.average_projects", "results.fairness.gini",
                                       "results.fairness.exhaustive", "results.fairness.ejr"]

    /// The names of the measures, in the order of `fairnessCells`.
    static func fairnessLabels(_ req: Request) -> [String] { fairnessKeys.map { req.t($0) } }

    /// One outcome's measures in the reader's words.
    static func fairnessCells(_ measures: RoundResult.Fairness, _ req: Request) -> [String] {
        func number(_ text: String) -> String {
            Formatters.decimal((Rational(fraction: text) ?? .zero).decimal(digits: 2), fractionDigits: 2, req.language)
        }
        func yes(_ value: Bool?) -> String {
            value.map { req.t($0 ? "results.yes" : "results.no") } ?? req.t("results.fairness.not_checked")
        }
        return [req.t("results.fairness.with_project_cell", reached(measures, req.language)), number(measures.averageProjects),
                number(measures.giniProjects), yes(measures.exhaustive), yes(measures.ejrUpToOne)]
    }

    static func percent(_ part: Int64, of whole: Int64, _ language: Language) -> String {
        guard whole > 0 else { return "—" }
        let tenths = (Rational(Int(part)) * Rational(1000) / Rational(Int(whole))).decimal(digits: 0)
        return Formatters.percent(tenths / 10, fractionDigits: 1, language)
    }

    /// The verdict in plain words, in the reader's language.
    static func why(_ verdict: RoundResult.Verdict, rule: BudgetingRule, titles: [String: String], _ req: Request) -> String {
        func money(_ text: String?) -> String { Money(som: text.flatMap { Rational(fraction: $0) } ?? .zero).formatted(req.language) }
        switch verdict.kind {
        case .fundedInTurn: return req.t("why.greedy_funded", ["left": money(verdict.left)])
        case .notFundedInTurn: return req.t("why.greedy_not_funded", ["left": money(verdict.left)])
        case .fundedByEqualShares:
            // On cumulative ballots with points as utility the share is per point given.
            let perPoint = rule == .mesAdditiveCardinalSat
            let supporters = verdict.supporters ?? 0, fullPayers = verdict.fullPayers ?? 0
            let arguments = ["supporters": String(supporters), "full": String(fullPayers), "others": String(supporters.saturatingAdding(-fullPayers)),
                             "share": money(verdict.share)]
            if fullPayers == 0 { return req.t(perPoint ? "why.mes_equal_points" : "why.mes_equal", arguments) }
            return req.t(perPoint ? "why.mes_capped_points" : "why.mes_capped", arguments)
        case .fundedByCompletion: return req.t("why.completion", ["left": money(verdict.left)])
        case .notFundedByEqualShares:
            var text = req.t("why.mes_not_funded", ["left": money(verdict.left), "cost": money(verdict.cost)])
            if let mostOn = verdict.mostOn, let title = titles[mostOn], let spent = verdict.spent.flatMap({ Rational(fraction: $0) }), !spent.isZero {
                text += " " + req.t("why.mes_spent_on", ["spent": money(verdict.spent), "project": title])
            }
            return text
        case .noSupporters: return req.t("why.no_supporters")
        }
    }
}
