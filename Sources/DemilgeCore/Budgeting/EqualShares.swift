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
                // A supporter is a voter with positive utility: with cost-based satisfaction a free project has none.
                guard weight > 0, !(satisfaction.scalesByCost && instance.projects[project].cost.isZero) else { continue }
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
        self.scales = satisfaction.scalesByCost ? costs : costs.map { _ in 1 }
        self.shares = shares
        self.scaledCosts = instance.integerCosts
    }

    /// Utility = scale × weight: cost-based satisfactions scale by the project's cost.
    func scale(_ project: Int) -> Rational {
        satisfaction.scalesByCost ? instance.projects[project].cost : .one
    }

    func outcome(_ selected: [Int]) -> BudgetingOutcome {
        BudgetingOutcome(selected: selected, cost: selected.reduce(.zero) { $0 + instance.projects[$1].cost })
    }

    func run(perVoterBudget: Rational) -> BudgetingOutcome {
        outcome(selection(perVoterBudget: perVoterBudget))
    }

    func selection(perVoterBudget: Rational) -> [Int] {
        free + purchases(perVoterBudget: perVoterBudget).map(\.project)
    }

    /// The projects MES buys after the free ones, in order, with the ρ each was bought at; `resuming` a run at this
    /// budget already known to begin with some purchases (`certify`).
    func purchases(perVoterBudget: Rational, resuming: FastRun? = nil) -> [Purchase] {
        guard !instance.ballots.isEmpty else { return [] }
        return fast(resuming ?? FastRun(self, perVoterBudget)) ?? exact(perVoterBudget)
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

    static let tolerance = 1e-9
    /// Newton's steps settle in a handful of passes; this many means rounding is going round in circles.
    static let waterLevelPasses = 64

    enum FastRho {
        case unaffordable, unsure
        /// share = ρ × scale: what one unit of weight pays. `payingWeight` when every supporter with money can pay
        /// it with room to spare and the others have exactly none: then ρ is exactly cost / (scale × payingWeight).
        case affordable(rho: Double, share: Double, payingWeight: Int?)
    }

    /// `atLeast`: a share known not to be above this one (the share with more money), where Newton's steps may start.
    func fastRho(_ project: Int, _ budget: FastMoney, atLeast known: Double = 0) -> FastRho {
        let uniform = uniformWeights
        // Branch-free passes: whether a supporter has money left is as good as random to the processor.
        var total = 0.0, lowest = Double.infinity, emptyWeight = 0
        supporters[project].withUnsafeBufferPointer { voters in
            weights[project].withUnsafeBufferPointer { weights in
                budget.money.withUnsafeBufferPointer { money in
                    budget.empty.withUnsafeBufferPointer { empty in
                        for position in voters.indices {
                            let voter = Int(voters[position]), weight = uniform ? 1 : Int(weights[position])
                            let held = money[voter], isEmpty = Int(empty[voter])
                            total += held
                            emptyWeight &+= isEmpty &* weight
                            // Empty voters are left out of the lowest by lifting them far above any share.
                            lowest = min(lowest, (uniform ? held : held / Double(weight)) + Double(isEmpty) * 1e300)
                        }
                    }
                }
            }
        }
        return rho(project, total: total, lowest: lowest, emptyWeight: emptyWeight, atLeast: known) { start in
            waterLevel(project, budget, from: start)
        }
    }

    /// ρ from one pass over the supporters: all the money they hold, the least any of them with money holds per unit
    /// of weight, and the weight of those known to hold nothing; `waterLevel` finds the capped share from a start.
    func rho(_ project: Int, total: Double, lowest: Double, emptyWeight: Int, atLeast known: Double,
             waterLevel: (Double) -> Double) -> FastRho {
        let cost = costs[project], tolerance = Self.tolerance
        if total < cost * (1 - tolerance) { return .unaffordable }
        if total <= cost * (1 + tolerance) { return .unsure }
        let paying = totalWeight[project] - emptyWeight
        let equalShare = cost / Double(paying)
        if lowest >= equalShare * (1 + tolerance) {
            return .affordable(rho: equalShare / scales[project], share: equalShare, payingWeight: paying)
        }
        let share = waterLevel(max(equalShare, known))
        guard share.isFinite, share > 0 else { return .unsure }
        return .affordable(rho: share / scales[project], share: share, payingWeight: nil)
    }

    /// The share per unit of weight at which the supporters of `project` pay its cost, those who cannot pay it
    /// paying all they have. What they pay at a share s, F(s), grows with s, concave and piecewise linear, so
    /// Newton's steps from below (`start`), s + (cost − F(s)) / (weight of those who can pay s), reach the exact root
    /// in a few passes: the step is exact once the same supporters fall short twice running. Voters with nothing left
    /// are short of any share. NaN when rounding keeps it from settling (the caller is then unsure).
    func waterLevel(_ project: Int, _ budget: FastMoney, from start: Double) -> Double {
        let cost = costs[project], uniform = uniformWeights
        return supporters[project].withUnsafeBufferPointer { voters in
            weights[project].withUnsafeBufferPointer { weights in
                budget.money.withUnsafeBufferPointer { money in
                    var share = start, lastPaying = -1
                    for _ in 0..<Self.waterLevelPasses {
                        // Per unit of weight a payer's money would round differently: weighted, no shortcut.
                        var funds = 0.0, paying = 0, leastPaying = uniform ? Double.infinity : -Double.infinity
                        if uniform {
                            for voter in voters {
                                let held = money[Int(voter)], pays = held >= share
                                funds += min(held, share)
                                paying += pays ? 1 : 0
                                leastPaying = min(leastPaying, pays ? held : .infinity)
                            }
                        } else {
                            for position in voters.indices {
                                let held = money[Int(voters[position])], weight = Int(weights[position])
                                let owed = share * Double(weight)
                                funds += min(held, owed)
                                paying += held >= owed ? weight : 0
                            }
                        }
                        if paying == lastPaying || paying == 0 { return paying == 0 ? .nan : share }
                        lastPaying = paying
                        let next = share + (cost - funds) / Double(paying)
                        if Self.samePaying(from: share, to: next, leastPaying: leastPaying) { return next }
                        share = next
                    }
                    return .nan
                }
            }
        }
    }

    /// Whether a Newton step up from `share` to `next` leaves the same supporters paying — none of them holds less
    /// than `next` — so that the next pass would only confirm `next` (it stops when the payers repeat).
    static func samePaying(from share: Double, to next: Double, leastPaying: Double) -> Bool {
        next >= share && leastPaying >= next
    }

    private func fast(_ start: FastRun) -> [Purchase]? {
        let count = instance.projects.count
        var (budget, selected, alive, bound) = (start.money, start.purchases, start.alive, start.bound)
        var fresh = Array(repeating: false, count: count)
        var share = Array(repeating: 0.0, count: count)
        var paying = Array(repeating: Int?.none, count: count)

        while true {
            var winner: Int? = nil
            choosing: while true {
                var front: Int? = nil
                var bestFresh = Double.infinity
                for project in candidates where alive[project] {
                    if fresh[project] { bestFresh = min(bestFresh, bound[project]) }
                    if let f = front, (bound[f], rank[f]) <= (bound[project], rank[project]) { continue }
                    front = project
                }
                guard let p = front else { break choosing }
                // A stale front whose supporters could not pay even a little above the best fresh ρ is behind it:
                // one pass says so, without working out its ρ.
                let beyond = bestFresh * (1 + 2 * Self.tolerance)
                if !fresh[p], bestFresh.isFinite, fundsAt(beyond, p, budget) < costs[p] * (1 - Self.tolerance) {
                    bound[p] = beyond
                    continue choosing
                }
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
                    case let .affordable(rho, s, w): (bound[q], share[q], paying[q], fresh[q]) = (rho, s, w, true)
                    }
                    continue choosing
                }
                if near.isEmpty { winner = p; break choosing }
                // ρ values too close to tell apart in floating point: decide on exact values or not at all.
                var tied: [(rho: Rational, project: Int)] = []
                for q in [p] + near {
                    guard let weight = paying[q] else { return nil }
                    tied.append((exactRho(q, payingWeight: weight), q))
                }
                winner = tied.min { ($0.rho, rank[$0.project]) < ($1.rho, rank[$1.project]) }?.project
                break choosing
            }
            guard let w = winner else { break }
            pay(w, share: share[w], from: &budget)
            alive[w] = false
            selected.append(Purchase(project: w, rho: bound[w], payingWeight: paying[w]))
            for q in candidates where shares[w * count + q] { fresh[q] = false }
        }
        return selected
    }

    // MARK: - Exact pass

    /// The same rule on exact rationals. Voters who paid the same amounts hold the same money, so
    /// budgets are interned and supporters handled as groups of equal (budget, weight).
    private func exact(_ perVoterBudget: Rational) -> [Purchase] {
        let count = instance.projects.count
        var budgets: [Rational] = [perVoterBudget]
        var budgetOf = Array(repeating: Int32(0), count: instance.ballots.count)
        var selected: [Purchase] = []
        var alive = Array(repeating: false, count: count)
        for project in candidates { alive[project] = true }
        var bound = Array(repeating: Rational.zero, count: count)
        var fresh = Array(repeating: false, count: count)
        var paying = Array(repeating: Int?.none, count: count)
        struct Key: Hashable { let budget: Int32; let weight: Int32 }

        func rho(_ project: Int) -> (value: Rational, payingWeight: Int?)? {
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
            var weightLeft = totalWeight[project]
            var cappedWithMoney = false
            for group in sorted {
                if group.ratio * Rational(weightLeft) >= remaining { break }
                remaining = remaining - budgets[Int(group.key.budget)] * Rational(group.members)
                weightLeft -= Int(group.key.weight) * group.members
                cappedWithMoney = cappedWithMoney || !budgets[Int(group.key.budget)].isZero
            }
            return (remaining / Rational(weightLeft) / scale(project), cappedWithMoney ? nil : weightLeft)
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
                if let value = rho(p) { (bound[p], paying[p], fresh[p]) = (value.value, value.payingWeight, true) } else { alive[p] = false }
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
            selected.append(Purchase(project: w, rho: bound[w].doubleValue, payingWeight: paying[w]))
            for q in candidates where shares[w * count + q] { fresh[q] = false }
        }
        return selected
    }

    /// For tests: the exact pass alone.
    func exactOnly(perVoterBudget: Rational) -> BudgetingOutcome { outcome(free + exact(perVoterBudget).map(\.project)) }
}
