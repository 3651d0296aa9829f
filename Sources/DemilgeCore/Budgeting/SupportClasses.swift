import Foundation

/// Voters grouped by which purchases of one fixed sequence they support, for add-one's certificates, which replay
/// one sequence at thousands of budgets.
///
/// With equal weights every supporter owes a purchase the same share and pays it, or all they have: a voter's money
/// after j purchases is the budget less, in order, the shares of those of the first j they support. Voters
/// supporting the same ones hold the same money to the last bit, so a pass over a project's supporters can be a
/// pass over their classes. On Budapest 2024 the supporters of the first 17 purchases are 95,431 voters in 7,245
/// classes.
final class SupportClasses {
    /// The supporters of one project with the same purchases among the first `step`, and how many they are.
    struct Group {
        let masks: [UInt64]
        let counts: [Double]
    }

    /// The sequence followed, and per voter, bit j set when they support purchase j.
    private var sequence: [Int] = []
    private var supported: [UInt64]
    private var groups: [Int: Group] = [:]
    /// How often each ungrouped (project, step) was asked for: grouping costs a hash per supporter, worth it only
    /// for the passes asked for again and again (the winners' and close rivals'), not for a rival seen once.
    private var asked: [Int: Int] = [:]
    private var cachedClasses = 0
    /// What certificates learned about supporters' funds (`FundsMemory`), for the same sequence.
    var memory: FundsMemory

    /// Classes kept at once (16 bytes each): past this the cache starts over.
    static let cacheLimit = 1 << 20
    /// Asked this often, supporters are grouped into classes.
    static let groupingFrom = 3

    /// Nil where classes do not apply: weighted ballots (a share is owed per unit of weight).
    init?(_ run: EqualSharesRun) {
        guard run.uniformWeights else { return nil }
        supported = Array(repeating: 0, count: run.instance.ballots.count)
        memory = FundsMemory(projects: run.instance.projects.count)
    }

    /// Follows `purchases` from now on; false when they are more than bits. What the sequence followed before shares
    /// with them stays known: add-one's successive sequences mostly differ only after a near tie.
    func follow(_ purchases: [Purchase], of run: EqualSharesRun) -> Bool {
        let projects = purchases.map(\.project)
        guard projects.count <= 64 else { return false }
        let kept = zip(sequence, projects).prefix { $0 == $1 }.count
        guard kept < sequence.count || kept < projects.count else { return true }
        let first = Self.firstSteps(kept)
        for voter in supported.indices { supported[voter] &= first }
        for step in kept..<projects.count {
            for voter in run.supporters[projects[step]] { supported[Int(voter)] |= 1 << UInt64(step) }
        }
        groups = groups.filter { $0.key % 65 <= kept }
        asked = asked.filter { $0.key % 65 <= kept }
        cachedClasses = groups.values.reduce(0) { $0 + $1.masks.count }
        memory.forget(beyond: kept)
        sequence = projects
        return true
    }

    private static func firstSteps(_ step: Int) -> UInt64 { step >= 64 ? ~0 : (1 << UInt64(step)) - 1 }

    /// Whether `group(project, after: step)` is already grouped, and so cheaper than a pass voter by voter.
    func grouped(_ project: Int, after step: Int) -> Bool { groups[project &* 65 &+ step] != nil }

    /// The supporters of `project` by which of the first `step` purchases they support: grouped once asked for often
    /// enough, else one by one.
    func group(_ project: Int, after step: Int, of run: EqualSharesRun) -> Group {
        let key = project &* 65 &+ step
        if let known = groups[key] { return known }
        let first = Self.firstSteps(step), voters = run.supporters[project]
        let times = asked[key, default: 0] + 1
        guard times >= Self.groupingFrom else {
            asked[key] = times
            return Group(masks: voters.map { supported[Int($0)] & first }, counts: Array(repeating: 1, count: voters.count))
        }
        var position: [UInt64: Int] = [:]
        var masks: [UInt64] = [], counts: [Double] = []
        for voter in voters {
            let mask = supported[Int(voter)] & first
            if let at = position[mask] {
                counts[at] += 1
            } else {
                position[mask] = masks.count
                masks.append(mask)
                counts.append(1)
            }
        }
        let group = Group(masks: masks, counts: counts)
        if cachedClasses > Self.cacheLimit {
            groups.removeAll(keepingCapacity: true)
            cachedClasses = 0
        }
        groups[key] = group
        cachedClasses += masks.count
        return group
    }

    /// Each class's money at per-voter `budget` after paying `shares` in order, as `EqualSharesRun.pay` would voter
    /// by voter, into `into` (reusing its storage).
    static func fill(_ group: Group, budget: Double, startsEmpty: Bool, shares: [Double], into result: inout ClassMoney) {
        let count = group.masks.count
        if result.money.count < count { result.money = Array(repeating: 0, count: count) }
        var total = 0.0, lowest = Double.infinity, emptyCount = 0.0
        result.money.withUnsafeMutableBufferPointer { money in
            group.masks.withUnsafeBufferPointer { masks in
                group.counts.withUnsafeBufferPointer { counts in
                    shares.withUnsafeBufferPointer { shares in
                        for position in 0..<count {
                            let (held, isEmpty) = paid(masks[position], budget: budget, startsEmpty: startsEmpty, shares: shares)
                            let members = counts[position], empty = Double(isEmpty)
                            money[position] = held
                            total += members * held
                            emptyCount += members * empty
                            // Empty voters are left out of the lowest by lifting them far above any share.
                            lowest = min(lowest, held + empty * 1e300)
                        }
                    }
                }
            }
        }
        (result.total, result.lowest, result.emptyCount) = (total, lowest, emptyCount)
    }

    /// Every voter's money at per-voter `budget` after the first `step` purchases, paying `shares`.
    func perVoter(budget: Rational, after step: Int, shares: [Double]) -> FastMoney {
        var result = FastMoney(budget, voters: supported.count)
        guard step > 0 else { return result }
        let first = Self.firstSteps(step), start = budget.doubleValue, startsEmpty = budget.isZero
        result.money.withUnsafeMutableBufferPointer { money in
            result.empty.withUnsafeMutableBufferPointer { empty in
                supported.withUnsafeBufferPointer { supported in
                    shares.withUnsafeBufferPointer { shares in
                        for voter in supported.indices where supported[voter] & first != 0 {
                            (money[voter], empty[voter]) = Self.paid(supported[voter] & first, budget: start, startsEmpty: startsEmpty, shares: shares)
                        }
                    }
                }
            }
        }
        return result
    }

    @inline(__always)
    private static func paid(_ mask: UInt64, budget: Double, startsEmpty: Bool, shares: UnsafeBufferPointer<Double>) -> (Double, UInt8) {
        let emptyBelow = 1 - EqualSharesRun.tolerance
        var held = budget, isEmpty: UInt8 = startsEmpty ? 1 : 0, rest = mask
        while rest != 0 {
            let owed = shares[rest.trailingZeroBitCount]
            isEmpty |= held < owed * emptyBelow ? 1 : 0
            held = max(held - owed, 0)
            rest &= rest &- 1
        }
        return (held, isEmpty)
    }
}

/// Each class's money at one budget (the storage is reused from group to group, so it may be longer than the group
/// last filled), and `fastRho`'s first pass over them: all they hold, the least any class with money holds, and how
/// many voters are known to hold exactly nothing (see `FastMoney`).
struct ClassMoney {
    var money: [Double] = []
    var total = 0.0
    var lowest = Double.infinity
    var emptyCount = 0.0
}

extension EqualSharesRun {
    /// `fastRho` over the classes of `group`, whose money is `classes` (its first pass made by `SupportClasses.fill`).
    func fastRho(_ project: Int, _ group: SupportClasses.Group, _ classes: ClassMoney, atLeast known: Double = 0) -> FastRho {
        rho(project, total: classes.total, lowest: classes.lowest, emptyWeight: Int(classes.emptyCount), atLeast: known) { start in
            waterLevel(project, group, classes, from: start)
        }
    }

    /// `fundsAt` over the classes of `group`.
    func fundsAt(_ rho: Double, _ project: Int, _ group: SupportClasses.Group, _ classes: ClassMoney) -> Double {
        let share = rho * scales[project]
        return group.counts.withUnsafeBufferPointer { counts in
            classes.money.withUnsafeBufferPointer { money in
                var total = 0.0
                for position in counts.indices { total += counts[position] * min(money[position], share) }
                return total
            }
        }
    }

    /// `waterLevel` over the classes of `group`.
    private func waterLevel(_ project: Int, _ group: SupportClasses.Group, _ classes: ClassMoney, from start: Double) -> Double {
        let cost = costs[project]
        return group.counts.withUnsafeBufferPointer { counts in
            classes.money.withUnsafeBufferPointer { money in
                var share = start, lastPaying = -1.0
                for _ in 0..<Self.waterLevelPasses {
                    var funds = 0.0, paying = 0.0, leastPaying = Double.infinity
                    for position in counts.indices {
                        let held = money[position], count = counts[position], pays = held >= share
                        funds += count * min(held, share)
                        paying += pays ? count : 0
                        leastPaying = min(leastPaying, pays ? held : .infinity)
                    }
                    if paying == lastPaying || paying == 0 { return paying == 0 ? .nan : share }
                    lastPaying = paying
                    let next = share + (cost - funds) / paying
                    if Self.samePaying(from: share, to: next, leastPaying: leastPaying) { return next }
                    share = next
                }
                return .nan
            }
        }
    }
}

/// What add-one's certificates learned about projects' supporters at the budgets they checked, kept from one
/// certificate to the next while the purchases it depends on stay the same.
///
/// With equal weights a voter's money after the first `step` purchases is the budget less the shares they paid (or
/// nothing). From a budget T to T′ it grows by at most T′ − T plus how much less each purchase's share is at T′, so
/// if a project's supporters would pay at most `funds` at ρ up to `rho` at T, they pay at most funds + supporters ×
/// that growth at T′, with fewer purchases' money spent or more, at that ρ or less. Most rivals are far behind and
/// stay so from budget to budget: this spares a pass over their supporters at every certificate.
struct FundsMemory {
    /// Rivals against every later purchase, against the next one, and projects left affordable at the end.
    enum Use: Int, CaseIterable { case race, purchase, leftAffordable }

    private struct Known {
        let budget: Double
        /// The shares of the purchases paid, in order.
        let shares: [Double]
        let rho: Double
        let funds: Double
    }

    private var known: [[Known?]]

    init(projects: Int) {
        known = Array(repeating: Array(repeating: nil, count: projects), count: Use.allCases.count)
    }

    /// The purchases from step `kept` on changed: what depended on them is forgotten.
    mutating func forget(beyond kept: Int) {
        for use in known.indices {
            for project in known[use].indices where (known[use][project]?.shares.count ?? 0) > kept { known[use][project] = nil }
        }
    }

    /// `funds`: what `project`'s supporters would pay at ρ `rho` at per-voter `budget` once the purchases whose
    /// `shares` are given are paid.
    mutating func record(_ use: Use, _ project: Int, budget: Double, shares: [Double], rho: Double, funds: Double) {
        known[use.rawValue][project] = Known(budget: budget, shares: shares, rho: rho, funds: funds)
    }

    /// At most what `project`'s `supporters` would pay at ρ `rho` at per-voter `budget` once the purchases whose
    /// `shares` are given are paid; nil when nothing known bounds it.
    func funds(_ use: Use, _ project: Int, budget: Double, shares: [Double], rho: Double, supporters: Int) -> Double? {
        guard let known = known[use.rawValue][project], known.shares.count <= shares.count, rho <= known.rho else { return nil }
        var growth = budget - known.budget, scale = budget
        for (step, paid) in known.shares.enumerated() {
            growth += max(0, paid - shares[step])
            scale += paid
        }
        // Rounding in the shares worked out is far below the tolerance; the margin covers it.
        return known.funds + Double(supporters) * (max(0, growth) + scale * EqualSharesRun.tolerance)
    }
}
