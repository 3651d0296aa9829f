import BigInt
import Foundation

/// Why each project won or lost under a rule, and what each voter's share paid for: the facts a
/// results page puts into words. Amounts are exact (сом as rationals).
public struct OutcomeAccount: Sendable {
    public enum Verdict: Equatable, Sendable {
        /// Greedy: its turn came with `left` still unspent, enough for it.
        case fundedInTurn(left: Rational)
        /// Greedy: when its turn came only `left` remained, less than its cost.
        case notFundedInTurn(left: Rational)
        /// Equal shares: its supporters paid for it; `fullPayers` of them gave all they had left,
        /// the others `share` each (per point on cumulative ballots).
        case fundedByEqualShares(supporters: Int, fullPayers: Int, share: Rational)
        /// Equal shares completed by greedy: bought with the money left over, in order of votes.
        case fundedByCompletion(left: Rational)
        /// Equal shares: its supporters had only `left` of the `cost`; they had spent `spent`,
        /// most of it on `mostOn`.
        case notFundedByEqualShares(left: Rational, cost: Rational, spent: Rational, mostOn: Int?)
        case noSupporters
    }

    public let rule: BudgetingRule
    public let outcome: BudgetingOutcome
    public let verdicts: [Verdict]
    /// Equal shares rules: per voter, the projects their share helped pay for and how much.
    public let payments: [[(project: Int, amount: Rational)]]
    /// Equal shares rules: the money each voter started with (B/n, or more after add-one).
    public let perVoterBudget: Rational?

    public static func explain(_ instance: BudgetingInstance, rule: BudgetingRule) -> OutcomeAccount {
        // Without a bound add-one always finishes.
        (try? explain(instance, rule: rule, maximumAddOneRuns: .max))
            ?? OutcomeAccount(rule: rule, outcome: BudgetingOutcome(selected: [], cost: .zero), verdicts: [], payments: [], perVoterBudget: nil)
    }

    public static func explain(_ instance: BudgetingInstance, rule: BudgetingRule, maximumAddOneRuns: Int) throws(RuleTooLarge) -> OutcomeAccount {
        guard rule.isEqualShares else {
            let outcome = try rule.boundedOutcome(instance, maximumAddOneRuns: maximumAddOneRuns)
            return OutcomeAccount(rule: rule, outcome: outcome, verdicts: greedyVerdicts(instance, rule: rule, outcome: outcome),
                                  payments: [], perVoterBudget: nil)
        }
        let satisfaction = rule.satisfaction
        let perVoter: Rational
        let equalShares: BudgetingOutcome
        // The equal-shares stage is computed once: the account replays it, and a greedy completion starts from it.
        if rule.firstStage == .mesCostSatAddOne {
            let report = BudgetingRules.equalSharesAddOne(instance, satisfaction, maximumRuns: maximumAddOneRuns)
            guard report.finished else { throw RuleTooLarge(rule: rule, runs: report.work) }
            (perVoter, equalShares) = (report.perVoterBudget, report.outcome)
        } else {
            perVoter = instance.budget / Rational(max(instance.ballots.count, 1))
            equalShares = BudgetingRules.equalShares(instance, satisfaction, perVoterBudget: perVoter)
        }
        let outcome = rule.outcome(instance, from: equalShares)
        return replay(instance, rule: rule, outcome: outcome, satisfaction: satisfaction, perVoter: perVoter, bought: equalShares.selected)
    }

    private static func greedyVerdicts(_ instance: BudgetingInstance, rule: BudgetingRule, outcome: BudgetingOutcome) -> [Verdict] {
        let funded = Set(outcome.selected)
        var verdicts = Array(repeating: Verdict.noSupporters, count: instance.projects.count)
        var left = instance.budget
        for project in outcome.selected { verdicts[project] = .fundedInTurn(left: left); left = left - instance.projects[project].cost }
        // Losers: what was left when their turn came in the ranking.
        var spent = Rational.zero
        for project in BudgetingRules.greedyRanking(instance, rule.satisfaction) {
            if funded.contains(project) { spent = spent + instance.projects[project].cost } else { verdicts[project] = .notFundedInTurn(left: instance.budget - spent) }
        }
        return verdicts
    }

    /// Re-runs the equal-shares purchases in order on exact money, recording every payment.
    private static func replay(_ instance: BudgetingInstance, rule: BudgetingRule, outcome: BudgetingOutcome, satisfaction: Satisfaction,
                               perVoter: Rational, bought: [Int]) -> OutcomeAccount {
        var money = Array(repeating: perVoter, count: instance.ballots.count)
        var payments = Array(repeating: [(project: Int, amount: Rational)](), count: instance.ballots.count)
        var supporters = Array(repeating: [(voter: Int, weight: Int)](), count: instance.projects.count)
        for (voter, ballot) in instance.ballots.enumerated() {
            for (position, project) in ballot.projects.enumerated() {
                let weight = satisfaction == .points ? ballot.points[position] : 1
                if weight > 0, !(satisfaction.scalesByCost && instance.projects[project].cost.isZero) { supporters[project].append((voter, weight)) }
            }
        }
        var verdicts = Array(repeating: Verdict.noSupporters, count: instance.projects.count)
        for project in bought {
            let cost = instance.projects[project].cost
            let sorted = supporters[project].sorted { money[$0.voter] / Rational($0.weight) < money[$1.voter] / Rational($1.weight) }
            var remaining = cost
            var weightLeft = sorted.reduce(0) { $0 + $1.weight }
            for supporter in sorted where weightLeft > 0 {
                if money[supporter.voter] * Rational(weightLeft) >= remaining * Rational(supporter.weight) { break }
                remaining = remaining - money[supporter.voter]
                weightLeft -= supporter.weight
            }
            let share = weightLeft > 0 ? remaining / Rational(weightLeft) : .zero
            var fullPayers = 0
            for supporter in sorted {
                let owed = share * Rational(supporter.weight)
                let paid = min(money[supporter.voter], owed)
                if paid < owed { fullPayers += 1 }
                money[supporter.voter] = money[supporter.voter] - paid
                if !paid.isZero { payments[supporter.voter].append((project, paid)) }
            }
            verdicts[project] = .fundedByEqualShares(supporters: sorted.count, fullPayers: fullPayers, share: share)
        }
        let boughtSet = Set(bought)
        var left = instance.budget - bought.reduce(.zero) { $0 + instance.projects[$1].cost }
        for project in outcome.selected where !boughtSet.contains(project) {
            verdicts[project] = .fundedByCompletion(left: left)
            left = left - instance.projects[project].cost
        }
        let funded = Set(outcome.selected)
        for project in instance.projects.indices where !funded.contains(project) && !supporters[project].isEmpty {
            var leftOver = Rational.zero, spent = Rational.zero
            var spentOn: [Int: Rational] = [:]
            for supporter in supporters[project] {
                leftOver = leftOver + money[supporter.voter]
                for payment in payments[supporter.voter] {
                    spent = spent + payment.amount
                    spentOn[payment.project, default: .zero] = spentOn[payment.project, default: .zero] + payment.amount
                }
            }
            let most = spentOn.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }?.key
            verdicts[project] = .notFundedByEqualShares(left: leftOver, cost: instance.projects[project].cost, spent: spent, mostOn: most)
        }
        return OutcomeAccount(rule: rule, outcome: outcome, verdicts: verdicts, payments: payments, perVoterBudget: perVoter)
    }
}

extension BudgetingRules {
    /// The order in which greedy considers projects (best score first).
    public static func greedyRanking(_ instance: BudgetingInstance, _ satisfaction: Satisfaction) -> [Int] {
        // Greedy from nothing with an unlimited budget takes every project, in ranking order.
        var unlimited = instance
        unlimited.budget = instance.projects.reduce(.zero) { $0 + $1.cost }
        return greedy(unlimited, satisfaction).selected
    }
}

extension Money {
    /// An exact amount in сом, to the nearest тыйын (halves up), for display.
    public init(som: Rational) {
        let hundredths = (som.numerator * 200 + som.denominator) / (som.denominator * 2)
        self.init(minorUnits: Int64(clamping: hundredths))
    }
}

extension Money {
    /// The amount in сом, exactly.
    public var som: Rational { Rational(BigInt(minorUnits), 100) }

    /// The amount if it is a whole number of тыйын (what a round here can hold), else nil.
    public init?(exactSom: Rational) {
        let hundredths = exactSom * Rational(100)
        guard hundredths.denominator == 1, hundredths.numerator >= 0, hundredths.numerator <= BigInt(Money.maximumMinorUnits) else { return nil }
        self.init(minorUnits: Int64(hundredths.numerator))
    }
}
