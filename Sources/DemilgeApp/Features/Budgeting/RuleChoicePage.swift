import DemilgeCore
import Fluent
import Vapor

/// The rule page of a round: how each rule its ballot allows would have decided similar past rounds (or an uploaded
/// pabulib file), measured as on the results page, and — before voting opens — the form that chooses the rule and
/// says why.
struct RuleChoicePage: Encodable {
    struct PastRound: Encodable {
        let id: String, title: String, place: String, year: Int, ballotType: String, checked: Bool
    }

    /// One election compared: what it was, and a row per rule.
    struct Election: Encodable {
        let heading: String, facts: String
        let rows: [RuleRow]
    }

    struct RuleRow: Encodable {
        let rule: String
        /// The round's rule now.
        let current: Bool
        /// Empty when the rule decided; else why it has no outcome here.
        let note: String
        let funded: String, spent: String
        /// The funded projects by name, when there are few enough to read in a cell.
        let projects: String
        let measures: [String]
    }

    let id: String, title: String, heading: String, rule: String, reason: String, hasReason: Bool
    /// The rule may still change: voting has not opened.
    let canChange: Bool
    let rules: [Option]
    let past: [PastRound]
    let hasPast: Bool
    let measureLabels: [String]
    let elections: [Election]
    let hasElections: Bool
    let form: FormState
    let formName: String
    let version: Int
    let pastLegend: String
    /// Columns a rule's note spans: the outcome's two and every measure.
    let noteSpan: Int

    /// Published rounds, and rounds being counted that the reader manages, of the round's municipality and its
    /// neighbours (the territory above it and everything under that), its own territory first, newest first.
    static func pastRounds(_ req: Request, _ round: BudgetRound) async throws -> [BudgetRound] {
        let directory = try await req.territoryDirectory()
        let area = round.territory.$parent.id ?? round.$territory.id
        let own = directory.subtree(of: round.$territory.id)
        let rounds = try await BudgetRound.query(on: req.db).with(\.$territory)
            .filter(\.$territory.$id ~~ Array(directory.subtree(of: area)))
            .filter(\.$status ~~ [RoundStatus.counting, .published]).filter(\.$id != (try round.requireID()))
            .sort(\.$closesOn, .descending).limit(RuleChoiceController.listedPast * 2).all()
        var visible: [BudgetRound] = []
        for candidate in rounds where try await RoundAccess.resultsVisible(req, candidate) { visible.append(candidate) }
        let ordered = visible.filter { own.contains($0.$territory.id) } + visible.filter { !own.contains($0.$territory.id) }
        return Array(ordered.prefix(RuleChoiceController.listedPast))
    }

    static func build(_ req: Request, _ round: BudgetRound, past: [BudgetRound], checked: Set<UUID>?, elections: [Election] = [],
                      form: FormState = FormState(), formName: String = "") -> RuleChoicePage {
        let language = req.language
        // Before anything is compared the newest rounds of the same ballot are ticked (any ballot when none has it).
        let sameBallot = past.filter { $0.type == round.type }
        let ticked = checked ?? Set((sameBallot.isEmpty ? past : sameBallot).prefix(RuleChoiceController.maximumCompared).compactMap(\.id))
        let chosenRule = form["rule"].isEmpty ? round.rule.rawValue : form["rule"]
        return RuleChoicePage(
            id: round.idString, title: round.title, heading: req.t("rules.title", ["round": round.title]), rule: req.t("rule.\(round.rule.rawValue)"), reason: round.ruleReason ?? "",
            hasReason: !(round.ruleReason ?? "").isEmpty, canChange: round.status.acceptsProjects,
            rules: round.type.rules.map { Option(value: $0.rawValue, label: req.t("rule.\($0.rawValue)"), selected: $0.rawValue == chosenRule) },
            past: past.map { candidate in
                PastRound(id: candidate.idString, title: candidate.title, place: candidate.territory.name.display(language).text,
                          year: candidate.closesOn.year, ballotType: req.t(candidate.type.catalogKey), checked: candidate.id.map(ticked.contains) ?? false)
            },
            hasPast: !past.isEmpty, measureLabels: ResultsPage.fairnessLabels(req), elections: elections, hasElections: !elections.isEmpty,
            form: form, formName: formName, version: round.version,
            pastLegend: req.t("rules.past_rounds", ["count": String(RuleChoiceController.maximumCompared)]), noteSpan: ResultsPage.fairnessLabels(req).count + 2)
    }

    /// A rule's funded projects are named in its row up to this many.
    static let namedProjects = 10

    /// The rows of one compared election; `names` are its projects' names, in the instance's order.
    static func election(heading: String, _ instance: BudgetingInstance, names: [String], _ comparison: RuleComparison, current: BudgetingRule,
                         _ req: Request) -> Election {
        let language = req.language
        func money(_ value: Rational) -> String { Money(som: value).formatted(language) }
        let rows = comparison.entries.map { entry -> RuleRow in
            let name = req.t("rule.\(entry.rule.rawValue)")
            switch entry.verdict {
            case let .decided(outcome, measures):
                let projects = outcome.selected.count > namedProjects ? ""
                    : outcome.selected.map { names.indices.contains($0) ? names[$0] : instance.projects[$0].id }.joined(separator: "; ")
                return RuleRow(rule: name, current: entry.rule == current, note: "", funded: String(outcome.selected.count), spent: money(outcome.cost),
                               projects: projects, measures: ResultsPage.fairnessCells(RoundResult.Fairness(measures), req))
            case .notForTheseBallots:
                return RuleRow(rule: name, current: entry.rule == current, note: req.t("rules.not_for_these_ballots"), funded: "", spent: "", projects: "", measures: [])
            case .tooLarge(let tooLarge):
                return RuleRow(rule: name, current: entry.rule == current,
                               note: req.t("rules.too_large", ["runs": String(tooLarge.runs)]), funded: "", spent: "", projects: "",
                               measures: [])
            }
        }
        let facts = req.t("rules.election_facts", ["voters": String(instance.ballots.count), "projects": String(instance.projects.count),
                                                   "budget": money(instance.budget)])
        return Election(heading: heading, facts: facts, rows: rows)
    }
}
