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

    var isWorkedOut: Bool { !money.isEmpty }
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

    /// Up to which unit k of per-voter budget `low` + k, from 1 to `span`, MES surely makes `purchases`, whose ρ at
    /// `low` are `left`.
    ///
    /// While the winners stay the same, every voter's money at every step grows with the per-voter budget
    /// (a richer voter keeps more after paying, and richer supporters make a project's ρ smaller), so every ρ
    /// falls and an unaffordable project only becomes affordable as the budget rises. Between two budgets a < c
    /// a rival is therefore behind the winner if its ρ at c is above the winner's at a (ties going to the smaller
    /// id). The check starts at the highest budget, against the winner at `low`; where a rival comes too close,
    /// the range is halved until each part holds or is one unit long, where the rival is compared with the winner
    /// at its end directly, as MES compares them there. Nothing is left affordable at the end below a budget where
    /// nothing is. Only "yes" must be sure: near any threshold a budget is refused. The run at a budget is worked
    /// out only as far as a check needs it, at most `allowance` budgets: past them the rest is refused; by `classes`
    /// of supporters where they apply, else voter by voter.
    func certify(_ purchases: [Purchase], from low: Rational, left: [PurchaseRho], span: Int, allowance: Int,
                 classes: SupportClasses?) -> Certificate {
        let tolerance = Self.tolerance
        var worked = 0
        var offsets = [span]
        var points = [CertificatePoint(budget: low + Rational(span))]
        // Shared by every budget: a project unaffordable at the highest budget still in play is unaffordable below
        // it, and a lower bound of a ρ there is one below it and later in the run (money only falls within a run).
        var (alive, bound) = FastRun.opening(self)
        // The race as it stood when the lowest refused budget was refused: where its run resumes.
        var refused = Int.max, race: (alive: [Bool], bound: [Double])? = nil
        // The budgets still in play are the points below the lowest refused offset.
        var live: Int { offsets.firstIndex { $0 >= refused } ?? offsets.count }
        func index(_ offset: Int) -> Int {
            let position = offsets.firstIndex { $0 >= offset } ?? offsets.count
            if position == offsets.count || offsets[position] != offset {
                offsets.insert(offset, at: position)
                points.insert(CertificatePoint(budget: low + Rational(offset)), at: position)
            }
            return position
        }
        // The budgets from `offset` on are refused: the run at `offset` is known as far as it was brought.
        func refuse(from offset: Int) {
            guard offset < refused else { return }
            refused = offset
            race = points[index(offset)].started ? (alive, bound) : nil
        }
        // The ρ and share of the next purchase at a point, worked out once; nil, and the point refused, when that
        // purchase is not surely affordable there.
        func winnerHere(_ index: Int) -> (rho: PurchaseRho, share: Double)? {
            if let known = points[index].winner { return known }
            // The share at the nearest higher budget known, with more money, is where the share here is sought from.
            let step = points[index].rhos.count
            var atLeast = 0.0
            for above in (index + 1)..<max(index + 1, live) {
                if step < points[above].shares.count { atLeast = points[above].shares[step]; break }
                if step == points[above].shares.count, let known = points[above].winner { atLeast = known.share; break }
            }
            guard case let .affordable(rho, share, paying) = rhoAt(purchases[step].project, index, atLeast: atLeast) else {
                refuse(from: offsets[index])
                return nil
            }
            points[index].winner = (PurchaseRho(rho: rho, payingWeight: paying), share)
            return points[index].winner
        }
        // Brings a point to `step` purchases paid.
        func reach(_ index: Int, _ step: Int) -> Bool {
            if !points[index].started {
                guard worked < allowance else {
                    refuse(from: offsets[index])
                    return false
                }
                worked += 1
                if classes == nil { points[index].money = FastMoney(points[index].budget, voters: instance.ballots.count) }
                points[index].started = true
            }
            while points[index].rhos.count < step {
                guard let here = winnerHere(index) else { return false }
                // By classes, a point's money is its budget and the shares paid so far, unless it is held voter by voter.
                if points[index].money.isWorkedOut {
                    pay(purchases[points[index].rhos.count].project, share: here.share, from: &points[index].money)
                }
                points[index].rhos.append(here.rho)
                points[index].shares.append(here.share)
                points[index].winner = nil
            }
            return true
        }
        // The ρ of purchase `step` at the budget `offset` units above `low`; nil once that budget is refused.
        func winnerRho(_ offset: Int, _ step: Int) -> PurchaseRho? {
            guard offset > 0 else { return left[step] }
            guard offset < refused else { return nil }
            let position = index(offset)
            return reach(position, step) ? winnerHere(position)?.rho : nil
        }
        // Whether `rival` stays behind the winner of purchase `step` at every budget from `first` + 1 up to `last`
        // units above `low`; refuses from the first unit it may win. `splitting`: the range is known not to hold
        // at once.
        func holds(_ rival: Int, after first: Int, upTo last: Int, step: Int, splitting: Bool = false) -> Bool {
            let unit = last == first + 1
            if !splitting || unit {
                // One unit has no budget to vouch for but its end: there the two are compared directly.
                guard let lowEnd = winnerRho(unit ? last : first, step), winnerRho(last, step) != nil else { return false }
                if behindAt(rival, index(last), winner: purchases[step].project, than: lowEnd) { return true }
                if unit {
                    refuse(from: last)
                    return false
                }
            }
            let middle = first + (last - first) / 2
            return holds(rival, after: first, upTo: middle, step: step) && holds(rival, after: middle, upTo: last, step: step)
        }
        // A point's money voter by voter: as held, or worked out from its budget and the shares it paid.
        func moneyByVoter(_ index: Int) -> FastMoney {
            let point = points[index]
            guard let classes, !point.money.isWorkedOut else { return point.money }
            return classes.perVoter(budget: point.budget, after: point.rhos.count, shares: point.shares)
        }
        // MES's passes over `project`'s supporters at the point `index`, as many purchases in as it was brought.
        var filled: (project: Int, offset: Int, step: Int, group: SupportClasses.Group)? = nil
        var classMoney = ClassMoney()
        func group(_ project: Int, _ index: Int) -> SupportClasses.Group? {
            guard let classes else { return nil }
            let point = points[index], step = point.rhos.count
            if let filled, filled.project == project, filled.offset == offsets[index], filled.step == step { return filled.group }
            // Money held voter by voter is quicker to read than classes not grouped yet.
            if point.money.isWorkedOut && !classes.grouped(project, after: step) { return nil }
            let group = classes.group(project, after: step, of: self)
            SupportClasses.fill(group, budget: point.start, startsEmpty: point.budget.isZero, shares: point.shares, into: &classMoney)
            filled = (project, offsets[index], step, group)
            return group
        }
        func rhoAt(_ project: Int, _ index: Int, atLeast: Double = 0) -> FastRho {
            guard let group = group(project, index) else { return fastRho(project, points[index].money, atLeast: atLeast) }
            return fastRho(project, group, classMoney, atLeast: atLeast)
        }
        func fundsAt(_ rho: Double, _ project: Int, _ index: Int) -> Double {
            guard let group = group(project, index) else { return self.fundsAt(rho, project, points[index].money) }
            return self.fundsAt(rho, project, group, classMoney)
        }
        // Whether `rival` at the point `index` is behind `winner` whose ρ at a lower budget is `than`.
        func behindAt(_ rival: Int, _ index: Int, winner: Int, than: PurchaseRho) -> Bool {
            // Most rivals are far behind: what their supporters would pay at the winner's ρ falls clearly short.
            if fundsAt(than.rho * (1 + tolerance), rival, index) < costs[rival] * (1 - tolerance) { return true }
            switch rhoAt(rival, index) {
            case .unaffordable: return true
            case .unsure: return false
            case let .affordable(rho, _, paying): return behind(rival, rho: rho, payingWeight: paying, winner: winner, at: than)
            }
        }
        // Whether what `project`'s supporters would pay at `rho` at the highest budget, as far as its run was brought,
        // surely falls short of its cost — from what was learned at other budgets, or a pass over them.
        func isBehind(_ project: Int, _ use: FundsMemory.Use, rho: Double) -> Bool {
            let top = points[live - 1], enough = costs[project] * (1 - tolerance)
            if let known = classes?.memory.funds(use, project, budget: top.start, shares: top.shares, rho: rho,
                                                  supporters: supporters[project].count), known < enough { return true }
            let funds = fundsAt(rho, project, live - 1)
            guard funds < enough else { return false }
            classes?.memory.record(use, project, budget: top.start, shares: top.shares, rho: rho, funds: funds)
            return true
        }
        // Later purchases' ρ at `low`: a rival whose ρ is above all of them is behind for the rest of the run.
        var farthest = left.map { $0.rho * (1 + tolerance) }
        for step in farthest.indices.reversed().dropFirst() { farthest[step] = max(farthest[step], farthest[step + 1]) }

        for (step, purchase) in purchases.enumerated() {
            let winner = purchase.project
            while live > 0 && !(reach(live - 1, step) && winnerHere(live - 1) != nil) {}
            // Every rival is screened at the highest budget: its money is worth holding voter by voter there.
            if live > 0 { points[live - 1].money = moneyByVoter(live - 1) }
            let threshold = left[step].rho * (1 + tolerance)
            for rival in candidates where live > 0 && rival != winner && alive[rival] && bound[rival] <= threshold {
                if isBehind(rival, .race, rho: farthest[step]) {
                    bound[rival] = farthest[step]
                    continue
                }
                // Behind this purchase's winner, if not the later ones: one pass, not the passes of its ρ.
                if isBehind(rival, .purchase, rho: threshold) {
                    bound[rival] = threshold
                    continue
                }
                switch rhoAt(rival, live - 1) {
                case .unaffordable: alive[rival] = false; continue
                case .unsure: break
                case let .affordable(rho, _, paying):
                    bound[rival] = rho
                    if behind(rival, rho: rho, payingWeight: paying, winner: winner, at: left[step]) { continue }
                }
                _ = holds(rival, after: 0, upTo: offsets[live - 1], step: step, splitting: true)
            }
            guard live > 0 else { break }
            alive[winner] = false
        }
        // Something left affordable at the highest budget: halving finds the first unit where it is.
        while live > 0 {
            guard reach(live - 1, purchases.count) else { continue }
            // What each supporter holds: their funds at any ρ.
            guard candidates.contains(where: { alive[$0] && !isBehind($0, .leftAffordable, rho: .infinity) }) else { break }
            let top = offsets[live - 1], below = live > 1 ? offsets[live - 2] : 0
            refuse(from: top)
            if top - below > 1 { _ = index(below + (top - below) / 2) }
        }
        let upTo = live > 0 ? offsets[live - 1] : 0
        var next: FastRun? = nil
        if let race {
            let point = index(refused)
            let paid = zip(purchases, points[point].rhos).map { Purchase(project: $0.project, rho: $1.rho, payingWeight: $1.payingWeight) }
            next = FastRun(money: moneyByVoter(point), purchases: paid, alive: race.alive, bound: race.bound)
        }
        return Certificate(upTo: upTo, refused: refused == Int.max ? nil : refused, rhos: upTo > 0 ? points[live - 1].rhos : left,
                           next: next, worked: worked)
    }

    /// Whether `rival`, with ρ `rho` at some budget, is behind `winner` whose ρ at a lower budget is `at`.
    private func behind(_ rival: Int, rho: Double, payingWeight: Int?, winner: Int, at: PurchaseRho) -> Bool {
        if rho > at.rho * (1 + Self.tolerance) { return true }
        // Too close to tell in floating point: sure only when both ρ can be written exactly.
        guard let payingWeight, let winnerPaying = at.payingWeight else { return false }
        // With cost-based satisfaction ρ = cost / (cost × paying weight): the heavier weight has the smaller ρ.
        if satisfaction.scalesByCost { return (winnerPaying, rank[rival]) > (payingWeight, rank[winner]) }
        return (exactRho(rival, payingWeight: payingWeight), rank[rival]) > (exactRho(winner, payingWeight: winnerPaying), rank[winner])
    }

    /// Budgets one certificate may work out: voter by voter each holds every voter's money, so fewer the more voters
    /// (~150 MB).
    var certificateBudgets: Int { max(16, (1 << 24) / max(instance.ballots.count, 1)) }

    /// How many more units per voter after `low` are sure to give the same purchases: from `guess` (the last
    /// stretch's length), certifying spans of doubling length, and after a refusal the span up to the refused
    /// point, until the unit right after the last certified one is refused. Each budget a certificate works out counts
    /// as a run. Also returns the start of the run at that next unit, when it was refused.
    func unitsKeeping(_ purchases: [Purchase], from low: Rational, guess: Int, runs: inout Int, maximumRuns: Int,
                      classes known: SupportClasses?) -> (kept: Int, next: FastRun?) {
        var kept = 0, span = max(1, guess)
        var left = purchases.map { PurchaseRho(rho: $0.rho, payingWeight: $0.payingWeight) }
        let classes = known?.follow(purchases, of: self) == true ? known : nil
        while runs < maximumRuns, span < 1 << 50 {
            let allowance = min(maximumRuns - runs, certificateBudgets)
            let certificate = certify(purchases, from: low + Rational(kept), left: left, span: span, allowance: allowance, classes: classes)
            runs += max(1, certificate.worked)
            let start = kept
            kept += certificate.upTo
            left = certificate.rhos
            guard let refused = certificate.refused else {
                span *= 2
                continue
            }
            if start + refused == kept + 1 { return (kept, certificate.next) }
            span = start + refused - kept - 1
        }
        return (kept, nil)
    }
}

/// One budget a certificate checks, and the run there as far as a check needed it.
private struct CertificatePoint {
    let budget: Rational
    /// The budget in floating point.
    let start: Double
    var started = false
    var money = FastMoney.unreached
    /// The ρ and share of each purchase paid so far.
    var rhos: [PurchaseRho] = []
    var shares: [Double] = []
    /// The next purchase's ρ and share here, once worked out.
    var winner: (rho: PurchaseRho, share: Double)? = nil

    init(budget: Rational) {
        self.budget = budget
        start = budget.doubleValue
    }
}

/// A purchase's ρ at one per-voter budget, with the paying weight when it is exact (see `Purchase`).
struct PurchaseRho {
    let rho: Double
    let payingWeight: Int?
}

/// What `EqualSharesRun.certify` vouches for: the same purchases at every budget up to `upTo` units above its low end.
struct Certificate {
    let upTo: Int
    /// The first unit refused, if any: MES may decide otherwise there.
    let refused: Int?
    /// Each purchase's ρ at the last point certified: the low end of the next certificate.
    let rhos: [PurchaseRho]
    /// The run at the first point refused, as far as it is known to go.
    let next: FastRun?
    /// Budgets whose run was worked out: the certificate's cost, counted as runs.
    let worked: Int
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
    /// MES runs actually made, and budgets certificates worked out (units proved to change nothing are not run).
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
    /// `maximumRuns` bounds the work: MES runs, and the budgets certificates work out.
    public static func equalSharesAddOne(_ instance: BudgetingInstance, _ satisfaction: Satisfaction, maximumRuns: Int = .max,
                                         stepByStep: Bool = false) -> AddOneReport {
        equalSharesAddOne(instance, satisfaction, maximumRuns: maximumRuns, stepByStep: stepByStep, byClasses: true)
    }

    /// `byClasses: false` certifies voter by voter even where `SupportClasses` apply (for tests).
    static func equalSharesAddOne(_ instance: BudgetingInstance, _ satisfaction: Satisfaction, maximumRuns: Int = .max,
                                  stepByStep: Bool, byClasses: Bool) -> AddOneReport {
        let run = EqualSharesRun(instance, satisfaction)
        var perVoter = instance.budget / Rational(max(instance.ballots.count, 1))
        var previous: ([Int], Rational)? = nil
        var iterations = 0, work = 0
        var resuming: FastRun? = nil
        var kept = 0
        // Only once a stretch of units is to be skipped: most elections never get there.
        lazy var classes = byClasses ? SupportClasses(run) : nil
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
                : run.unitsKeeping(purchases, from: perVoter, guess: kept, runs: &work, maximumRuns: maximumRuns, classes: classes)
            iterations += kept
            perVoter = perVoter + Rational(kept)
            previous = (selection, perVoter)
            perVoter = perVoter + .one
        }
    }
}
