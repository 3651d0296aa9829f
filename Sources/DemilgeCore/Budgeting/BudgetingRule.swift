import Foundation

/// The outcome rules by the ids of `../shared/pabulib/README.md`, each the exact pabutools call it names.
public enum BudgetingRule: String, StoredState {
    case greedyCostSat = "greedy_cost_sat"
    case greedyCardinalitySat = "greedy_cardinality_sat"
    case mesCostSat = "mes_cost_sat"
    case mesCardinalitySat = "mes_cardinality_sat"
    case mesCostSatGreedy = "mes_cost_sat_greedy"
    case mesCostSatAddOne = "mes_cost_sat_add1"
    case mesCostSatAddOneGreedy = "mes_cost_sat_add1_greedy"
    case greedyPoints = "greedy_points"
    case greedyAdditiveCardinalSat = "greedy_additive_cardinal_sat"
    case mesAdditiveCardinalSat = "mes_additive_cardinal_sat"
    case seqPhragmen = "seq_phragmen"
    case maximinSupport = "maximin_support"
    case maxWelfareCardinalitySat = "max_welfare_cardinality_sat"
    case maxWelfareCostSat = "max_welfare_cost_sat"

    /// Points rules need points: cumulative (or scoring) ballots only.
    public var needsPoints: Bool {
        [.greedyPoints, .greedyAdditiveCardinalSat, .mesAdditiveCardinalSat].contains(self)
    }

    /// pabutools applies Phragmén to approval profiles only (`choose-1` files are read as approval).
    public var needsApproval: Bool { self == .seqPhragmen || self == .maximinSupport }

    public var isEqualShares: Bool {
        [.mesCostSat, .mesCardinalitySat, .mesCostSatGreedy, .mesCostSatAddOne, .mesCostSatAddOneGreedy, .mesAdditiveCardinalSat].contains(self)
    }

    /// The rule whose outcome this one starts from: itself, except for the greedy completions of equal shares
    /// (pabutools' `initial_budget_allocation`), which complete that outcome greedily by cost.
    public var firstStage: BudgetingRule {
        switch self {
        case .mesCostSatGreedy: .mesCostSat
        case .mesCostSatAddOneGreedy: .mesCostSatAddOne
        default: self
        }
    }

    /// This rule's outcome from its first stage's: the greedy completion by cost, or that outcome itself.
    public func outcome(_ instance: BudgetingInstance, from first: BudgetingOutcome) -> BudgetingOutcome {
        firstStage == self ? first : BudgetingRules.greedy(instance, .cost, startingFrom: first)
    }

    /// The satisfaction (utility) the rule is computed with.
    public var satisfaction: Satisfaction {
        switch self {
        case .greedyCostSat, .mesCostSat, .mesCostSatGreedy, .mesCostSatAddOne, .mesCostSatAddOneGreedy, .maxWelfareCostSat: .cost
        case .greedyCardinalitySat, .mesCardinalitySat, .seqPhragmen, .maximinSupport, .maxWelfareCardinalitySat: .cardinality
        case .greedyPoints: .pointsTimesCost
        case .greedyAdditiveCardinalSat, .mesAdditiveCardinalSat: .points
        }
    }

    public func applies(to voteType: BudgetingInstance.VoteType) -> Bool {
        if needsApproval { return voteType == .approval || voteType == .choose1 }
        return !needsPoints || voteType == .cumulative || voteType == .scoring
    }

    public static func applicable(to voteType: BudgetingInstance.VoteType) -> [BudgetingRule] {
        allCases.filter { $0.applies(to: voteType) }
    }

    public func outcome(_ instance: BudgetingInstance) -> BudgetingOutcome {
        // Without a bound add-one always finishes.
        (try? boundedOutcome(instance, maximumAddOneRuns: .max)) ?? BudgetingOutcome(selected: [], cost: .zero)
    }

    /// The outcome, with add-one stopped (and refused) after `maximumAddOneRuns` MES runs: what a server computes.
    public func boundedOutcome(_ instance: BudgetingInstance, maximumAddOneRuns: Int) throws(RuleTooLarge) -> BudgetingOutcome {
        switch self {
        case .greedyCostSat, .greedyCardinalitySat, .greedyPoints, .greedyAdditiveCardinalSat: return BudgetingRules.greedy(instance, satisfaction)
        case .mesCostSat, .mesCardinalitySat, .mesAdditiveCardinalSat: return BudgetingRules.equalShares(instance, satisfaction)
        case .mesCostSatGreedy, .mesCostSatAddOneGreedy:
            do throws(RuleTooLarge) {
                return outcome(instance, from: try firstStage.boundedOutcome(instance, maximumAddOneRuns: maximumAddOneRuns))
            } catch {
                throw RuleTooLarge(rule: self, runs: error.runs)
            }
        case .mesCostSatAddOne:
            let report = BudgetingRules.equalSharesAddOne(instance, .cost, maximumRuns: maximumAddOneRuns)
            guard report.finished else { throw RuleTooLarge(rule: self, runs: report.work) }
            return report.outcome
        case .seqPhragmen: return BudgetingRules.sequentialPhragmen(instance)
        case .maximinSupport: return try BudgetingRules.maximinSupport(instance)
        case .maxWelfareCardinalitySat: return try BudgetingRules.maximumWelfareByApprovals(instance)
        case .maxWelfareCostSat: return try BudgetingRules.maximumWelfareByCost(instance)
        }
    }
}

/// `demilge pb outcome`'s answer: `{"rules": {"RULE_ID": {"winners": [...], "time_s": 0.01, "measures": {...}}}}`.
public struct PabulibOutcomeReport: Encodable, Sendable {
    public struct Entry: Encodable, Sendable {
        public let winners: [String]
        public let time_s: Double
        /// How fair the outcome is (`OutcomeMeasures`), not counted in `time_s`.
        public var measures: OutcomeMeasures.JSON?
        /// Why there are no winners when the rule could not be computed exactly within its bound.
        public var error: String?

        public init(winners: [String], time_s: Double, measures: OutcomeMeasures.JSON? = nil, error: String? = nil) {
            self.winners = winners
            self.time_s = time_s
            self.measures = measures
            self.error = error
        }
    }

    public let rules: [String: Entry]

    /// Computes the rules named (all that apply to the file's vote type when none is) and times each.
    public static func compute(_ instance: BudgetingInstance, rules requested: [BudgetingRule]) -> PabulibOutcomeReport {
        let chosen = requested.isEmpty ? BudgetingRule.applicable(to: instance.voteType) : requested
        var entries: [String: Entry] = [:]
        for rule in chosen {
            let clock = ContinuousClock()
            var outcome: BudgetingOutcome? = nil
            var refusal: RuleTooLarge? = nil
            let elapsed = clock.measure {
                do throws(RuleTooLarge) { outcome = try rule.boundedOutcome(instance, maximumAddOneRuns: .max) } catch { refusal = error }
            }
            entries[rule.rawValue] = Entry(winners: outcome?.selected.map { instance.projects[$0].id } ?? [], time_s: elapsed.seconds,
                                           measures: outcome.map { OutcomeMeasures(instance, $0).json },
                                           error: refusal.map { "too large to compute exactly (\($0.runs) steps or cells)" })
        }
        return PabulibOutcomeReport(rules: entries)
    }

    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }
}

extension Duration {
    /// The duration in seconds, for timings written out (`time_s`, a result's `seconds`).
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
