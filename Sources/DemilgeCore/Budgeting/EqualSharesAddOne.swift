import Foundation

/// One purchase of an MES run: the project, its ρ, and — when every supporter with money paid an equal share and
/// the others had exactly none — the weight that paid, which makes ρ exact: cost / (scale × payingWeight).
struct Purchase: Equatable {
    let project: Int
    let rho: Double
    let payingWeight: Int?
}

/// Voters' money in floating point for the fast passes, with the voters known to have exactly nothing left (they
/// paid all they had, clearly less than their share): ρ among the others can then be written exactly.
struct FastMoney {
    var money: [Double]
    var empty: [Bool]

    init(_ perVoter: Rational, voters: Int) {
        money = Array(repeating: perVoter.doubleValue, count: voters)
        empty = Array(repeating: perVoter.isZero, count: voters)
    }
}

/// A fast MES run part-way: money left, purchases so far, projects still in the race and lower bounds of their ρ.
struct FastRun {
    var money: FastMoney
    var purchases: [Purchase] = []
    var alive: [Bool]
    var bound: [Double]

    /// The start: every voter holds `perVoter`, every candidate is in, each ρ at least its equal-share value.
    init(_ run: EqualSharesRun, _ perVoter: Rational) {
        money = FastMoney(perVoter, voters: run.instance.ballots.count)
        alive = Array(repeating: false, count: run.instance.projects.count)
        bound = Array(repeating: 0.0, count: run.instance.projects.count)
        for project in run.candidates {
            alive[project] = true
            bound[project] = run.costs[project] / (run.scales[project] * Double(run.totalWeight[project]))
        }
    }
}

extension EqualSharesRun {
    /// Takes `share` per unit of weight from each supporter of `project` (all they have, if less).
    func pay(_ project: Int, share: Double, from budget: inout FastMoney) {
        for (position, voter) in supporters[project].enumerated() {
            let owed = uniformWeights ? share : share * Double(weights[project][position])
            let money = budget.money[Int(voter)]
            if money < owed * (1 - Self.tolerance) { budget.empty[Int(voter)] = true }
            budget.money[Int(voter)] = money <= owed ? 0 : money - owed
        }
    }

    /// What the supporters of `project` would pay at ρ = `rho`, each at most what they have: ρ is above `rho`
    /// exactly when this falls short of the cost.
    func fundsAt(_ rho: Double, _ project: Int, _ budget: FastMoney) -> Double {
        let share = rho * scales[project]
        var total = 0.0
        for (position, voter) in supporters[project].enumerated() {
            total += min(budget.money[Int(voter)], uniformWeights ? share : share * Double(weights[project][position]))
        }
        return total
    }

    func exactRho(_ project: Int, payingWeight: Int) -> Rational {
        instance.projects[project].cost / (scale(project) * Rational(payingWeight))
    }

    /// Whether MES makes `purchases` — the run at per-voter budget `low` — at every per-voter budget from `low`
    /// up to `high`.
    ///
    /// While the winners stay the same, every voter's money at every step grows with the per-voter budget
    /// (a richer voter keeps more after paying, and richer supporters make a project's ρ smaller), so a rival's
    /// ρ only falls and an unaffordable project only becomes affordable as the budget rises. Hence it is enough
    /// that, paying for the same winners at `high`, no rival's ρ reaches the winner's ρ at `low` (ties going to
    /// the smaller id) and nothing is left affordable at the end. Only the answer "yes" must be sure: near any
    /// threshold this says "no", and the caller simply tries a smaller step.
    ///
    /// Returns nil for "yes"; for "no", the run at `high` as far as it is known to go: the purchases checked before
    /// the one that failed are MES's at `high` too, and MES can go on from there.
    func keeps(_ purchases: [Purchase], upTo high: Rational) -> FastRun? {
        let tolerance = Self.tolerance
        // Bounds stay lower bounds of each ρ along the way: money only falls within a run.
        var state = FastRun(self, high)
        for purchase in purchases {
            let winner = purchase.project
            let threshold = purchase.rho * (1 + tolerance)
            for rival in candidates where rival != winner && state.alive[rival] && state.bound[rival] <= threshold {
                // Most rivals are far behind: what their supporters would pay at the threshold falls clearly short.
                if fundsAt(threshold, rival, state.money) < costs[rival] * (1 - tolerance) {
                    state.bound[rival] = threshold
                    continue
                }
                switch fastRho(rival, state.money) {
                case .unaffordable: state.alive[rival] = false
                case .unsure: return state
                case let .affordable(rho, _, paying):
                    state.bound[rival] = rho
                    if rho > threshold { continue }
                    // Too close to tell in floating point: sure only when both ρ can be written exactly.
                    guard let paying, let winnerPaying = purchase.payingWeight,
                          (exactRho(rival, payingWeight: paying), rank[rival]) > (exactRho(winner, payingWeight: winnerPaying), rank[winner])
                    else { return state }
                }
            }
            guard case let .affordable(rho, share, paying) = fastRho(winner, state.money) else { return state }
            pay(winner, share: share, from: &state.money)
            state.alive[winner] = false
            state.purchases.append(Purchase(project: winner, rho: rho, payingWeight: paying))
        }
        let leftAffordable = candidates.contains { project in
            state.alive[project] && supporters[project].reduce(0.0) { $0 + state.money.money[Int($1)] } >= costs[project] * (1 - tolerance)
        }
        return leftAffordable ? state : nil
    }

    /// How many more units per voter after `low` are sure to give the same purchases: from `guess` (the last
    /// stretch's length), doubling the step while `keeps` says so, then halving back to the last budget it vouches
    /// for. Each question counts as a run. Also returns the start of the run at the next unit, when the last refusal
    /// was there.
    func unitsKeeping(_ purchases: [Purchase], from low: Rational, guess: Int, runs: inout Int, maximumRuns: Int) -> (kept: Int, next: FastRun?) {
        var kept = 0, step = max(1, guess)
        var refused: (units: Int, run: FastRun)? = nil
        while refused == nil, runs < maximumRuns, step < 1 << 50 {
            runs += 1
            if let run = keeps(purchases, upTo: low + Rational(kept + step)) { refused = (kept + step, run) } else { kept += step; step *= 2 }
        }
        guard var above = refused else { return (kept, nil) }
        while above.units - kept > 1, runs < maximumRuns {
            runs += 1
            let middle = kept + (above.units - kept) / 2
            if let run = keeps(purchases, upTo: low + Rational(middle)) { above = (middle, run) } else { kept = middle }
        }
        return (kept, above.units == kept + 1 ? above.run : nil)
    }
}

/// What pabutools' add-one completion did: how many MES runs its definition makes, and the per-voter budget it
/// returned. `finished` is false when the work stopped at `maximumRuns` before the definition would have: then the
/// outcome is not add-one's and must not be published as such.
public struct AddOneReport: Sendable {
    public let outcome: BudgetingOutcome
    /// MES runs of the step-by-step definition (one per unit added), as pabutools counts them.
    public let iterations: Int
    public let perVoterBudget: Rational
    public var finished = true
    /// MES runs and checks actually made (steps proved to change nothing are not run).
    public var work = 0
}

/// A rule that could not be computed within its bound (add-one can need one MES run per currency unit of the
/// per-voter budget: a costly project few support, in a large currency, means billions of runs).
public struct RuleTooLarge: Error, Equatable, Sendable {
    public let rule: BudgetingRule
    public let runs: Int

    public init(rule: BudgetingRule, runs: Int) {
        self.rule = rule
        self.runs = runs
    }
}

extension BudgetingRules {
    /// pabutools `method_of_equal_shares` without completion: per-voter budget B/n (empty ballots count),
    /// unsupported projects never enter, supported free projects first, exact ties to the smallest id.
    public static func equalShares(_ instance: BudgetingInstance, _ satisfaction: Satisfaction, perVoterBudget: Rational? = nil) -> BudgetingOutcome {
        let run = EqualSharesRun(instance, satisfaction)
        return run.run(perVoterBudget: perVoterBudget ?? instance.budget / Rational(max(instance.ballots.count, 1)))
    }

    /// pabutools `method_of_equal_shares(..., voter_budget_increment=1)`: from B/n, one currency unit
    /// more per voter each time, until the outcome is exhaustive (returned) or costs more than the
    /// budget (the previous one is returned). Units at which MES provably buys the same projects as at the
    /// previous one are counted but not run (`EqualSharesRun.keeps`); `stepByStep` runs every one.
    /// `maximumRuns` bounds the work: runs and checks made.
    public static func equalSharesAddOne(_ instance: BudgetingInstance, _ satisfaction: Satisfaction, maximumRuns: Int = .max,
                                         stepByStep: Bool = false) -> AddOneReport {
        let run = EqualSharesRun(instance, satisfaction)
        var perVoter = instance.budget / Rational(max(instance.ballots.count, 1))
        var previous: ([Int], Rational)? = nil
        var iterations = 0, work = 0
        var resuming: FastRun? = nil
        var kept = 0
        while true {
            iterations += 1
            work += 1
            if work > maximumRuns {
                return AddOneReport(outcome: run.outcome(previous?.0 ?? []), iterations: iterations - 1, perVoterBudget: perVoter,
                                    finished: false, work: maximumRuns)
            }
            let purchases = run.purchases(perVoterBudget: perVoter, resuming: resuming)
            let selection = run.free + purchases.map(\.project)
            let (over, exhaustive) = run.overBudgetAndExhaustive(selection)
            if over, let (last, budget) = previous {
                return AddOneReport(outcome: run.outcome(last), iterations: iterations, perVoterBudget: budget, work: work)
            }
            if exhaustive || instance.ballots.isEmpty {
                return AddOneReport(outcome: run.outcome(selection), iterations: iterations, perVoterBudget: perVoter, work: work)
            }
            // The same purchases are neither over the budget nor exhaustive: the units they hold for are skipped.
            (kept, resuming) = stepByStep ? (0, nil)
                : run.unitsKeeping(purchases, from: perVoter, guess: kept, runs: &work, maximumRuns: maximumRuns)
            iterations += kept
            perVoter = perVoter + Rational(kept)
            previous = (selection, perVoter)
            perVoter = perVoter + .one
        }
    }
}
