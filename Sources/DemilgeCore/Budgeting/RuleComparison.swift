import Foundation

/// How each of several rules decides one election, with how fair each outcome is: what a commission looks at before
/// choosing a round's rule. Rules that share a first stage share its computation (equal shares before its greedy
/// completion, add-one before its completion), so comparing all of a ballot type's rules costs little more than the
/// dearest one.
public struct RuleComparison: Sendable {
    public enum Verdict: Sendable {
        case decided(BudgetingOutcome, OutcomeMeasures)
        /// The rule needs points (or approvals) these ballots do not carry.
        case notForTheseBallots
        /// Add-one could not finish within its bound.
        case tooLarge(RuleTooLarge)
    }

    public struct Entry: Sendable {
        public let rule: BudgetingRule
        public let verdict: Verdict
    }

    public let entries: [Entry]

    public init(_ instance: BudgetingInstance, rules: [BudgetingRule], maximumAddOneRuns: Int) {
        var firstStages: [BudgetingRule: Result<BudgetingOutcome, RuleTooLarge>] = [:]
        entries = rules.map { rule in
            guard rule.applies(to: instance.voteType) else { return Entry(rule: rule, verdict: .notForTheseBallots) }
            let stage = rule.firstStage
            let first = firstStages[stage] ?? Result { () throws(RuleTooLarge) in
                try stage.boundedOutcome(instance, maximumAddOneRuns: maximumAddOneRuns)
            }
            firstStages[stage] = first
            switch first {
            case .failure(let tooLarge): return Entry(rule: rule, verdict: .tooLarge(tooLarge))
            case .success(let first):
                let outcome = rule.outcome(instance, from: first)
                return Entry(rule: rule, verdict: .decided(outcome, OutcomeMeasures(instance, outcome)))
            }
        }
    }
}
