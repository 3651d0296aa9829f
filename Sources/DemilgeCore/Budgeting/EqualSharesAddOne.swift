import Foundation

/// One purchase of an MES run: the project, its ρ, and — when every supporter with money paid an equal share and
/// the others had exactly none — the weight that paid, which makes ρ exact: cost / (scale × payingWeight).
struct Purchase: Equatable {
    let project: Int
    let rho: Double
    let payingWeight: Int?
}

/// Voters' money in floating point for the fast passes, with the voters known to have exactly nothing left (they
/// paid all they had, clearly less than their share): ρ among the others can then be written exactly. `empty` is 1
/// for those voters and 0 for the others, bytes rather than `Bool` so the hot loops can add them without branching.
struct FastMoney {
    var money: [Double]
    var empty: [UInt8]

    init(_ perVoter: Rational, voters: Int) {
        money = Array(repeating: perVoter.doubleValue, count: voters)
        empty = Array(repeating: perVoter.isZero ? 1 : 0, count: voters)
    }

    private init() {
        money = []
        empty = []
    }

    /// No voters: a place held for money not worked out yet.
    static let unreached = FastMoney()
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
        (alive, bound) = Self.opening(run)
    }

    init(money: FastMoney, purchases: [Purchase], alive: [Bool], bound: [Double]) {
        (self.money, self.purchases, self.alive, self.bound) = (money, purchases, alive, bound)
    }

    /// Every candidate in, each ρ at least its equal-share value.
    static func opening(_ run: EqualSharesRun) -> (alive: [Bool], bound: [Double]) {
        var alive = Array(repeating: false, count: run.instance.projects.count)
        var bound = Array(repeating: 0.0, count: run.instance.projects.count)
        for project in run.candidates {
            alive[project] = true
            bound[project] = run.costs[project] / (run.scales[project] * Double(run.totalWeight[project]))
        }
        return (alive, bound)
    }
}

extension EqualSharesRun {
    /// Takes `share` per unit of weight from each supporter of `project` (all they have, if less).
    func pay(_ project: Int, share: Double, from budget: inout FastMoney) {
        let emptyBelow = 1 - Self.tolerance, uniform = uniformWeights
        supporters[project].withUnsafeBufferPointer { voters in
            weights[project].withUnsafeBufferPointer { weights in
                budget.money.withUnsafeMutableBufferPointer { money in
                    budget.empty.withUnsafeMutableBufferPointer { empty in
                        for position in voters.indices {
                            let voter = Int(voters[position])
                            let owed = uniform ? share : share * Double(weights[position])
                            let held = money[voter]
                            // Branch-free: who pays all they have is as good as random to the processor.
                            empty[voter] |= held < owed * emptyBelow ? 1 : 0
                            money[voter] = max(held - owed, 0)
                        }
                    }
                }
            }
        }
    }

    /// What the supporters of `project` would pay at ρ = `rho`, each at most what they have: ρ is above `rho`
    /// exactly when this falls short of the cost.
    func fundsAt(_ rho: Double, _ project: Int, _ budget: FastMoney) -> Double {
        let share = rho * scales[project], uniform = uniformWeights
        return supporters[project].withUnsafeBufferPointer { voters in
            weights[project].withUnsafeBufferPointer { weights in
                budget.money.withUnsafeBufferPointer { money in
                    var total = 0.0
                    for position in voters.indices {
                        total += min(money[Int(voters[position])], uniform ? share : share * Double(weights[position]))
                    }
                    return total
                }
            }
        }
    }

    func exactRho(_ project: Int, payingWeight: Int) -> Rational {
        instance.projects[project].cost / (scale(project) * Rational(payingWeight))
    }

    /// Whether MES makes `purchases` at every per-voter budget `low` + k for k = 1 up to each of `offsets`
    /// (increasing), where `left` holds their ρ at `low`, and up to which offset.
    ///
    /// While the winners stay the same, every voter's money at every step grows with the per-voter budget
    /// (a richer voter keeps more after paying, and richer supporters make a project's ρ smaller), so every ρ
    /// falls and an unaffordable project only becomes affordable as the budget rises. Between two budgets a < c
    /// a rival is therefore behind the winner if its ρ at c is above the winner's at a (ties going to the smaller
    /// id). Checking this across each span between neighbouring points, not across the whole range, vouches for
    /// long ranges over which the winner's and a close rival's ρ fall together; a span of one unit has no budget
    /// to vouch for but its end, where the rival is compared with the winner directly. Nothing is left affordable
    /// at the end below a point where nothing is. Only "yes" must be sure: near any threshold a point is refused,
    /// and the caller tries shorter spans.
    func certify(_ purchases: [Purchase], from low: Rational, left: [PurchaseRho], offsets: [Int]) -> Certificate {
        let tolerance = Self.tolerance
        var points = offsets.map { CertificatePoint(budget: low + Rational($0)) }
        // Shared by every point: a project unaffordable at the highest point still in play is unaffordable below
        // it, and a lower bound of a ρ there is one below it and later in the run (money only falls within a run).
        var (alive, bound) = FastRun.opening(self)
        var live = points.count, next: FastRun? = nil
        // The points from `index` on are refused: the run at the first of them is known as far as it was brought.
        func refuse(from index: Int) {
            guard index < live else { return }
            let point = points[index]
            next = point.started ? FastRun(money: point.money, purchases: zip(purchases, point.rhos).map {
                Purchase(project: $0.project, rho: $1.rho, payingWeight: $1.payingWeight)
            }, alive: alive, bound: bound) : nil
            live = index
        }
        // The ρ and share of the next purchase at a point, worked out once; nil, and the point refused, when that
        // purchase is not surely affordable there.
        func winnerHere(_ index: Int) -> (rho: PurchaseRho, share: Double)? {
            if let known = points[index].winner { return known }
            // The share at the highest point, with more money, is where the share here is sought from.
            let step = points[index].rhos.count, top = points[live - 1]
            let atLeast = index == live - 1 ? 0 : step < top.shares.count ? top.shares[step] : top.winner?.share ?? 0
            guard case let .affordable(rho, share, paying) = fastRho(purchases[step].project, points[index].money, atLeast: atLeast) else {
                refuse(from: index)
                return nil
            }
            points[index].winner = (PurchaseRho(rho: rho, payingWeight: paying), share)
            return points[index].winner
        }
        // Brings a point to `step` purchases paid. Points are only brought along when a check needs them: the
        // checks at the highest point cover those below it until a rival comes close.
        func reach(_ index: Int, _ step: Int) -> Bool {
            if !points[index].started {
                points[index].money = FastMoney(points[index].budget, voters: instance.ballots.count)
                points[index].started = true
            }
            while points[index].rhos.count < step {
                guard let here = winnerHere(index) else { return false }
                pay(purchases[points[index].rhos.count].project, share: here.share, from: &points[index].money)
                points[index].rhos.append(here.rho)
                points[index].shares.append(here.share)
                points[index].winner = nil
            }
            return true
        }
        // The ρ of purchase `step` at a point (-1: `low`); nil once the point is refused.
        func winnerRho(_ index: Int, _ step: Int) -> PurchaseRho? {
            guard index >= 0 else { return left[step] }
            return reach(index, step) ? winnerHere(index)?.rho : nil
        }
        // Whether `rival` stays behind the winner of purchase `step` at every budget after point `first` (-1: `low`)
        // up to point `last`; refuses the points from the first span it may win. `splitting`: the whole range is
        // already known not to hold at once.
        func holds(_ rival: Int, after first: Int, upTo last: Int, step: Int, splitting: Bool = false) -> Bool {
            let unit = last == first + 1 && offsets[last] - (first < 0 ? 0 : offsets[first]) == 1
            if !splitting || unit {
                // A span of one unit has no budget to vouch for but its end: there the two are compared directly.
                guard let lowEnd = winnerRho(unit ? last : first, step), winnerRho(last, step) != nil else { return false }
                if behind(rival, in: points[last].money, winner: purchases[step].project, at: lowEnd) { return true }
            }
            guard last > first + 1 else {
                refuse(from: last)
                return false
            }
            let middle = first + (last - first) / 2
            return holds(rival, after: first, upTo: middle, step: step) && holds(rival, after: middle, upTo: last, step: step)
        }
        // Later purchases' ρ at `low`: a rival whose ρ is above all of them is behind for the rest of the run.
        var farthest = left.map { $0.rho * (1 + tolerance) }
        for step in farthest.indices.reversed().dropFirst() { farthest[step] = max(farthest[step], farthest[step + 1]) }

        for (step, purchase) in purchases.enumerated() {
            let winner = purchase.project
            while live > 0 && !(reach(live - 1, step) && winnerHere(live - 1) != nil) {}
            let threshold = left[step].rho * (1 + tolerance)
            for rival in candidates where live > 0 && rival != winner && alive[rival] && bound[rival] <= threshold {
                let top = points[live - 1].money
                if fundsAt(farthest[step], rival, top) < costs[rival] * (1 - tolerance) {
                    bound[rival] = farthest[step]
                    continue
                }
                switch fastRho(rival, top) {
                case .unaffordable: alive[rival] = false; continue
                case .unsure: break
                case let .affordable(rho, _, paying):
                    bound[rival] = rho
                    if behind(rival, rho: rho, payingWeight: paying, winner: winner, at: left[step]) { continue }
                }
                // Close at the top: split the range at a point in between until every span holds, left first, so
                // that only the points a check needs are brought along.
                _ = holds(rival, after: -1, upTo: live - 1, step: step, splitting: true)
            }
            guard live > 0 else { break }
            alive[winner] = false
        }
        while live > 0 {
            guard reach(live - 1, purchases.count) else { continue }
            guard leftAffordable(points[live - 1].money, alive) else { break }
            refuse(from: live - 1)
        }
        return Certificate(certified: live, rhos: live > 0 ? points[live - 1].rhos : left, next: next)
    }

    /// Whether `rival`, with ρ `rho` at some budget, is behind `winner` whose ρ at a lower budget is `at`.
    private func behind(_ rival: Int, rho: Double, payingWeight: Int?, winner: Int, at: PurchaseRho) -> Bool {
        if rho > at.rho * (1 + Self.tolerance) { return true }
        // Too close to tell in floating point: sure only when both ρ can be written exactly.
        guard let payingWeight, let winnerPaying = at.payingWeight else { return false }
        return (exactRho(rival, payingWeight: payingWeight), rank[rival]) > (exactRho(winner, payingWeight: winnerPaying), rank[winner])
    }

    /// Whether `rival`, with supporters' money `money`, is behind `winner` whose ρ at a lower budget is `at`.
    private func behind(_ rival: Int, in money: FastMoney, winner: Int, at: PurchaseRho) -> Bool {
        // Most rivals are far behind: what their supporters would pay at the winner's ρ falls clearly short.
        if fundsAt(at.rho * (1 + Self.tolerance), rival, money) < costs[rival] * (1 - Self.tolerance) { return true }
        switch fastRho(rival, money) {
        case .unaffordable: return true
        case .unsure: return false
        case let .affordable(rho, _, paying): return behind(rival, rho: rho, payingWeight: paying, winner: winner, at: at)
        }
    }

    private func leftAffordable(_ money: FastMoney, _ alive: [Bool]) -> Bool {
        candidates.contains { project in
            alive[project] && supporters[project].reduce(0.0) { $0 + money.money[Int($1)] } >= costs[project] * (1 - Self.tolerance)
        }
    }

    /// The units after `low` a certificate over `span` units checks: 1, 2, 4, … and span, span − 1, span − 3, …
    /// — close together near both ends, where the last and the next change of purchases leave two ρ close, and
    /// far apart in between.
    static func certificateOffsets(_ span: Int) -> [Int] {
        var offsets = Set<Int>()
        var distance = 1
        while distance <= span {
            offsets.insert(distance)
            offsets.insert(span + 1 - distance)
            distance *= 2
        }
        return offsets.sorted()
    }

    /// How many more units per voter after `low` are sure to give the same purchases: from `guess` (the last
    /// stretch's length), certifying spans of doubling length, and after a refusal the span up to the refused
    /// point, until the unit right after the last certified one is refused. Each certificate counts as a run. Also
    /// returns the start of the run at that next unit, when it was refused.
    func unitsKeeping(_ purchases: [Purchase], from low: Rational, guess: Int, runs: inout Int, maximumRuns: Int) -> (kept: Int, next: FastRun?) {
        var kept = 0, span = max(1, guess)
        var left = purchases.map { PurchaseRho(rho: $0.rho, payingWeight: $0.payingWeight) }
        while runs < maximumRuns, span < 1 << 50 {
            runs += 1
            let offsets = Self.certificateOffsets(span)
            let certificate = certify(purchases, from: low + Rational(kept), left: left, offsets: offsets)
            let start = kept
            if certificate.certified > 0 {
                kept = start + offsets[certificate.certified - 1]
                left = certificate.rhos
            }
            if certificate.certified == offsets.count { span *= 2; continue }
            let refused = start + offsets[certificate.certified]
            if refused == kept + 1 { return (kept, certificate.next) }
            span = refused - kept - 1
        }
        return (kept, nil)
    }
}

/// One budget a certificate checks, and the run there as far as a check needed it.
private struct CertificatePoint {
    let budget: Rational
    var started = false
    var money = FastMoney.unreached
    /// The ρ and share of each purchase paid so far.
    var rhos: [PurchaseRho] = []
    var shares: [Double] = []
    /// The next purchase's ρ and share here, once worked out.
    var winner: (rho: PurchaseRho, share: Double)? = nil
}

/// A purchase's ρ at one per-voter budget, with the paying weight when it is exact (see `Purchase`).
struct PurchaseRho {
    let rho: Double
    let payingWeight: Int?
}

/// What `EqualSharesRun.certify` vouches for: the same purchases at every budget up to its `certified`-th point.
struct Certificate {
    let certified: Int
    /// Each purchase's ρ at the last point certified: the low end of the next certificate.
    let rhos: [PurchaseRho]
    /// The run at the first point refused, as far as it is known to go.
    let next: FastRun?
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
    /// previous one are counted but not run (`EqualSharesRun.certify`); `stepByStep` runs every one.
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
