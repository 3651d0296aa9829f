import Foundation

/// The Method of Equal Shares exactly as pabutools 1.2.3 computes it (`../shared/pabulib/README.md`).
///
/// Every run first goes through a fast pass on `Double` budgets that stops, and hands over to the
/// exact pass on rationals, whenever a decision lies within rounding distance of its threshold: an
/// affordability check (supporters' money ≈ cost) or two ρ values that are not clearly apart and
/// cannot both be written exactly. ρ is a continuous function of the budgets, so away from those
/// thresholds the fast pass takes the same decisions as exact arithmetic.
///
/// Both passes evaluate ρ lazily: budgets only fall, so a project's last ρ is a lower bound on its
/// current one, and only the project at the front of the queue needs recomputing.
struct EqualSharesRun {
    let instance: BudgetingInstance
    let satisfaction: Satisfaction
    /// Supported projects of cost 0 (bought first) and of positive cost, both in id order.
    let free: [Int]
    let candidates: [Int]
    let rank: [Int]
    /// Per project, the voters with positive utility and their weights: utility = `scale` × weight.
    let supporters: [[Int32]]
    let weights: [[Int32]]
    let uniformWeights: Bool
    let totalWeight: [Int]
    let costs: [Double]
    let scales: [Double]
    /// `shares[p * count + q]`: some voter supports both p and q.
    let shares: [Bool]
    /// Costs and budget as integers over a common denominator, when they fit comfortably in 64 bits.
    let scaledCosts: (costs: [Int64], budget: Int64)?

    init(_ instance: BudgetingInstance, _ satisfaction: Satisfaction) {
        self.instance = instance
        self.satisfaction = satisfaction
        let count = instance.projects.count
        var supporters = Array(repeating: [Int32](), count: count)
        var weights = Array(repeating: [Int32](), count: count)
        let byPoints = satisfaction == .points || satisfaction == .pointsTimesCost
        var shares = Array(repeating: false, count: count * count)
        for (voter, ballot) in instance.ballots.enumerated() {
            var liked: [Int] = []
            for (position, project) in ballot.projects.enumerated() {
                let weight = byPoints ? ballot.points[position] : 1
                guard weight > 0 else { continue }
                supporters[project].append(Int32(voter))
                weights[project].append(Int32(weight))
                liked.append(project)
            }
            for p in liked { for q in liked { shares[p * count + q] = true } }
        }
        let order = instance.lexicographicOrder
        var rank = Array(repeating: 0, count: count)
        for (position, project) in order.enumerated() { rank[project] = position }
        let supported = order.filter { !supporters[$0].isEmpty }
        self.free = supported.filter { instance.projects[$0].cost.isZero }
        self.candidates = supported.filter { !instance.projects[$0].cost.isZero }
        self.rank = rank
        self.supporters = supporters
        self.weights = weights
        self.uniformWeights = weights.allSatisfy { $0.allSatisfy { $0 == 1 } }
        self.totalWeight = weights.map { $0.reduce(0) { $0 + Int($1) } }
        self.costs = instance.projects.map { $0.cost.doubleValue }
        self.scales = satisfaction == .cost || satisfaction == .pointsTimesCost ? costs : costs.map { _ in 1 }
        self.shares = shares
        self.scaledCosts = instance.integerCosts
    }

    /// Utility = scale × weight: cost-based satisfactions scale by the project's cost.
    func scale(_ project: Int) -> Rational {
        switch satisfaction {
        case .cost, .pointsTimesCost: instance.projects[project].cost
        case .cardinality, .points: .one
        }
    }

    func outcome(_ selected: [Int]) -> BudgetingOutcome {
        BudgetingOutcome(selected: selected, cost: selected.reduce(.zero) { $0 + instance.projects[$1].cost })
    }

    func run(perVoterBudget: Rational) -> BudgetingOutcome {
        outcome(selection(perVoterBudget: perVoterBudget))
    }

    func selection(perVoterBudget: Rational) -> [Int] {
        guard !instance.ballots.isEmpty else { return [] }
        return fast(perVoterBudget) ?? exact(perVoterBudget)
    }

    /// Whether a selection costs more than the budget, and whether no MES candidate left out would
    /// still fit (pabutools' add-one tests), on integers when costs share a small denominator.
    func overBudgetAndExhaustive(_ selection: [Int]) -> (over: Bool, exhaustive: Bool) {
        var chosen = Array(repeating: false, count: instance.projects.count)
        for project in selection { chosen[project] = true }
        if let scaled = scaledCosts {
            let total = selection.reduce(Int64(0)) { $0 + scaled.costs[$1] }
            return (total > scaled.budget, !candidates.contains { !chosen[$0] && total + scaled.costs[$0] <= scaled.budget })
        }
        let total = outcome(selection).cost
        return (total > instance.budget, !candidates.contains { !chosen[$0] && total + instance.projects[$0].cost <= instance.budget })
    }

    // MARK: - Fast pass

    private static let tolerance = 1e-9

    private enum FastRho {
        case unaffordable, unsure
        /// share = ρ × scale: what one unit of weight pays; `uncapped` when every supporter can pay it
        /// with room to spare, so that ρ is exactly cost / (scale × total weight).
        case affordable(rho: Double, share: Double, uncapped: Bool)
    }

    private func fastRho(_ project: Int, _ budget: [Double]) -> FastRho {
        let voters = supporters[project], cost = costs[project], tolerance = Self.tolerance
        var total = 0.0
        var lowest = Double.infinity
        for (position, voter) in voters.enumerated() {
            let money = budget[Int(voter)]
            total += money
            lowest = min(lowest, uniformWeights ? money : money / Double(weights[project][position]))
        }
        if total < cost * (1 - tolerance) { return .unaffordable }
        if total <= cost * (1 + tolerance) { return .unsure }
        let weightSum = Double(totalWeight[project])
        var share = cost / weightSum
        if lowest >= share * (1 + tolerance) {
            return .affordable(rho: share / scales[project], share: share, uncapped: true)
        }
        // Some supporters cannot pay an equal share: they pay all they have, the rest share the remainder.
        var cappedWeight = -1.0
        while true {
            var cappedMoney = 0.0, weight = 0.0
            for (position, voter) in voters.enumerated() {
                let w = uniformWeights ? 1.0 : Double(weights[project][position])
                let money = budget[Int(voter)]
                if money < share * w { cappedMoney += money; weight += w }
            }
            if weight == cappedWeight { break }
            cappedWeight = weight
            guard weightSum - weight > 0 else { return .unsure }
            share = (cost - cappedMoney) / (weightSum - weight)
        }
        return .affordable(rho: share / scales[project], share: share, uncapped: false)
    }

    private func fast(_ perVoterBudget: Rational) -> [Int]? {
        let count = instance.projects.count
        var budget = Array(repeating: perVoterBudget.doubleValue, count: instance.ballots.count)
        var selected = free
        var alive = Array(repeating: false, count: count)
        for project in candidates { alive[project] = true }
        var bound = Array(repeating: 0.0, count: count)
        var fresh = Array(repeating: false, count: count)
        var share = Array(repeating: 0.0, count: count)
        var uncapped = Array(repeating: false, count: count)

        while true {
            var winner: Int? = nil
            choosing: while true {
                var front: Int? = nil
                for project in candidates where alive[project] {
                    if let f = front, (bound[f], rank[f]) <= (bound[project], rank[project]) { continue }
                    front = project
                }
                guard let p = front else { break choosing }
                var pending = fresh[p] ? nil : p
                var near: [Int] = []
                if pending == nil {
                    for q in candidates where alive[q] && q != p && bound[q] <= bound[p] * (1 + Self.tolerance) {
                        if !fresh[q] { pending = q; break }
                        near.append(q)
                    }
                }
                if let q = pending {
                    switch fastRho(q, budget) {
                    case .unaffordable: alive[q] = false
                    case .unsure: return nil
                    case let .affordable(rho, s, u): (bound[q], share[q], uncapped[q], fresh[q]) = (rho, s, u, true)
                    }
                    continue choosing
                }
                if near.isEmpty { winner = p; break choosing }
                // ρ values too close to tell apart in floating point: decide on exact values or not at all.
                var tied: [(rho: Rational, project: Int)] = []
                for q in [p] + near {
                    guard uncapped[q] else { return nil }
                    tied.append((instance.projects[q].cost / (scale(q) * Rational(totalWeight[q])), q))
                }
                winner = tied.min { ($0.rho, rank[$0.project]) < ($1.rho, rank[$1.project]) }?.project
                break choosing
            }
            guard let w = winner else { break }
            for (position, voter) in supporters[w].enumerated() {
                let owed = uniformWeights ? share[w] : share[w] * Double(weights[w][position])
                budget[Int(voter)] = budget[Int(voter)] <= owed ? 0 : budget[Int(voter)] - owed
            }
            alive[w] = false
            selected.append(w)
            for q in candidates where shares[w * count + q] { fresh[q] = false }
        }
        return selected
    }

    // MARK: - Exact pass

    /// The same rule on exact rationals. Voters who paid the same amounts hold the same money, so
    /// budgets are interned and supporters handled as groups of equal (budget, weight).
    private func exact(_ perVoterBudget: Rational) -> [Int] {
        let count = instance.projects.count
        var budgets: [Rational] = [perVoterBudget]
        var budgetOf = Array(repeating: Int32(0), count: instance.ballots.count)
        var selected = free
        var alive = Array(repeating: false, count: count)
        for project in candidates { alive[project] = true }
        var bound = Array(repeating: Rational.zero, count: count)
        var fresh = Array(repeating: false, count: count)
        struct Key: Hashable { let budget: Int32; let weight: Int32 }

        func rho(_ project: Int) -> Rational? {
            var groups: [Key: Int] = [:]
            for (position, voter) in supporters[project].enumerated() {
                groups[Key(budget: budgetOf[Int(voter)], weight: weights[project][position]), default: 0] += 1
            }
            let cost = instance.projects[project].cost
            var available = Rational.zero
            for (key, members) in groups { available = available + budgets[Int(key.budget)] * Rational(members) }
            guard available >= cost else { return nil }
            let sorted = groups.map { (ratio: budgets[Int($0.key.budget)] / Rational(Int($0.key.weight)), key: $0.key, members: $0.value) }
                .sorted { $0.ratio < $1.ratio }
            var remaining = cost
            var weightLeft = Rational(totalWeight[project])
            for group in sorted {
                if group.ratio * weightLeft >= remaining { break }
                remaining = remaining - budgets[Int(group.key.budget)] * Rational(group.members)
                weightLeft = weightLeft - Rational(Int(group.key.weight) * group.members)
            }
            return remaining / weightLeft / scale(project)
        }

        while true {
            var winner: Int? = nil
            while true {
                var front: Int? = nil
                for project in candidates where alive[project] {
                    if let f = front, (bound[f], rank[f]) <= (bound[project], rank[project]) { continue }
                    front = project
                }
                guard let p = front else { break }
                if fresh[p] { winner = p; break }
                if let value = rho(p) { (bound[p], fresh[p]) = (value, true) } else { alive[p] = false }
            }
            guard let w = winner else { break }
            let share = bound[w] * scale(w)
            var moved: [Key: Int32] = [:]
            for (position, voter) in supporters[w].enumerated() {
                let key = Key(budget: budgetOf[Int(voter)], weight: weights[w][position])
                if let new = moved[key] { budgetOf[Int(voter)] = new; continue }
                let old = budgets[Int(key.budget)]
                let new = Int32(budgets.count)
                budgets.append(old - min(old, share * Rational(Int(key.weight))))
                moved[key] = new
                budgetOf[Int(voter)] = new
            }
            alive[w] = false
            selected.append(w)
            for q in candidates where shares[w * count + q] { fresh[q] = false }
        }
        return selected
    }

    /// For tests: the exact pass alone.
    func exactOnly(perVoterBudget: Rational) -> BudgetingOutcome { outcome(exact(perVoterBudget)) }
}

/// What pabutools' add-one completion did: how many MES runs, and the per-voter budget it returned.
/// `finished` is false when it stopped at `maximumRuns` before the definition would have: then the outcome
/// is not add-one's and must not be published as such.
public struct AddOneReport: Sendable {
    public let outcome: BudgetingOutcome
    public let iterations: Int
    public let perVoterBudget: Rational
    public var finished = true
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
    /// budget (the previous one is returned).
    public static func equalSharesAddOne(_ instance: BudgetingInstance, _ satisfaction: Satisfaction, maximumRuns: Int = .max) -> AddOneReport {
        let run = EqualSharesRun(instance, satisfaction)
        var perVoter = instance.budget / Rational(max(instance.ballots.count, 1))
        var previous: ([Int], Rational)? = nil
        var iterations = 0
        while true {
            iterations += 1
            if iterations > maximumRuns {
                return AddOneReport(outcome: run.outcome(previous?.0 ?? []), iterations: maximumRuns, perVoterBudget: perVoter, finished: false)
            }
            let selection = run.selection(perVoterBudget: perVoter)
            let (over, exhaustive) = run.overBudgetAndExhaustive(selection)
            if over, let (last, budget) = previous {
                return AddOneReport(outcome: run.outcome(last), iterations: iterations, perVoterBudget: budget)
            }
            if exhaustive || instance.ballots.isEmpty {
                return AddOneReport(outcome: run.outcome(selection), iterations: iterations, perVoterBudget: perVoter)
            }
            previous = (selection, perVoter)
            perVoter = perVoter + .one
        }
    }
}
