import Foundation

extension BudgetingRules {
    /// Above this many cells (projects × (total approvals + 1)) the exact maximum is refused, not approximated.
    public static let maximumWelfareCells = 400_000_000

    /// pabutools `max_additive_utilitarian_welfare` with `Cardinality_Sat`: a set of projects within the budget with
    /// the most approvals in total, exactly, by dynamic programming over the approvals (the cheapest way to gather
    /// each total). pabutools' integer program may return any optimal set; Demilge returns the cheapest, and among
    /// equally cheap ones it takes a project whenever it can, in id order (Python `str` order). Throws when costs do
    /// not fit 64-bit integers over a common denominator or the table would exceed `maximumWelfareCells`.
    public static func maximumWelfareByApprovals(_ instance: BudgetingInstance) throws(RuleTooLarge) -> BudgetingOutcome {
        var approvals = Array(repeating: 0, count: instance.projects.count)
        for ballot in instance.ballots { for project in Set(ballot.projects) { approvals[project] += 1 } }
        let total = approvals.reduce(0, +)
        let order = instance.lexicographicOrder
        let (cells, overflow) = order.count.multipliedReportingOverflow(by: total + 1)
        guard let scaled = instance.integerCosts, !overflow, cells <= maximumWelfareCells else {
            throw RuleTooLarge(rule: .maxWelfareCardinalitySat, runs: overflow ? .max : cells)
        }
        // cheapest[w]: least cost of a set of the projects seen so far (from the last in id order back) with w approvals.
        let unreachable = Int64.max
        var cheapest = [Int64](repeating: unreachable, count: total + 1)
        cheapest[0] = 0
        // takes[position] bit w: taking that project is (one of) the cheapest ways to w approvals from it on.
        let words = total / 64 + 1
        var takes = [[UInt64]](repeating: [], count: order.count)
        for (position, project) in order.enumerated().reversed() {
            let value = approvals[project], cost = scaled.costs[project]
            var take = [UInt64](repeating: 0, count: words)
            for w in stride(from: total, through: value, by: -1) where cheapest[w - value] != unreachable {
                let with = cheapest[w - value] + cost
                if with <= cheapest[w] { cheapest[w] = with; take[w >> 6] |= 1 << UInt64(w & 63) }
            }
            takes[position] = take
        }
        guard var welfare = cheapest.lastIndex(where: { $0 <= scaled.budget }) else { return BudgetingOutcome(selected: [], cost: .zero) }
        var outcome = BudgetingOutcome(selected: [], cost: .zero)
        for (position, project) in order.enumerated() where takes[position][welfare >> 6] & (1 << UInt64(welfare & 63)) != 0 {
            outcome.selected.append(project)
            outcome.cost = outcome.cost + instance.projects[project].cost
            welfare -= approvals[project]
        }
        return outcome
    }
}

extension BudgetingRules {
    /// Branch and bound gives up after this many nodes (real elections need a few thousand).
    public static let maximumWelfareNodes = 20_000_000

    /// pabutools `max_additive_utilitarian_welfare` with `Cost_Sat`: a set of projects within the budget that
    /// maximises Σ cost × approvals. That is a knapsack whose value per unit of cost is a project's approvals, solved
    /// exactly by branch and bound with the fractional-knapsack bound (an integer, since the ratio is): projects by most
    /// approvals first, ids in Python `str` order among equals, each taken before it is left out. pabutools' integer
    /// program may return any optimal set; Demilge returns the cheapest, and among equally cheap ones the first the
    /// search meets. Projects nobody voted for add no welfare and are never taken. Throws when costs do not fit 64-bit
    /// integers over a common denominator or the search passes `maximumWelfareNodes`.
    public static func maximumWelfareByCost(_ instance: BudgetingInstance) throws(RuleTooLarge) -> BudgetingOutcome {
        guard let scaled = instance.integerCosts else { throw RuleTooLarge(rule: .maxWelfareCostSat, runs: .max) }
        var approvals = Array(repeating: 0, count: instance.projects.count)
        for ballot in instance.ballots { for project in Set(ballot.projects) { approvals[project] += 1 } }
        let candidates = instance.lexicographicOrder.filter { approvals[$0] > 0 && scaled.costs[$0] <= scaled.budget }
        // A stable sort keeps id order among projects with as many approvals.
        let order = candidates.enumerated().sorted { (approvals[$0.element], -$0.offset) > (approvals[$1.element], -$1.offset) }.map(\.element)
        var search = WelfareSearch(costs: order.map { scaled.costs[$0] }, approvals: order.map { Int64(approvals[$0]) },
                                   budget: scaled.budget, nodeLimit: maximumWelfareNodes)
        guard search.run() else { throw RuleTooLarge(rule: .maxWelfareCostSat, runs: search.nodes) }
        let selected = order.indices.filter { search.best[$0] }.map { order[$0] }
        return BudgetingOutcome(selected: selected, cost: selected.reduce(.zero) { $0 + instance.projects[$1].cost })
    }
}

/// Depth-first branch and bound for the knapsack of `maximumWelfareByCost`, items sorted by value per cost (approvals)
/// descending. A node is cut when even the fractional bound cannot beat the best welfare, or can only equal it at a
/// cost no lower than the best's.
private struct WelfareSearch {
    let costs: [Int64]
    let approvals: [Int64]
    let budget: Int64
    let nodeLimit: Int
    private var taken: [Bool]
    private(set) var best: [Bool]
    private var bestWelfare: Int128 = -1
    private var bestCost: Int64 = .max
    private(set) var nodes = 0

    init(costs: [Int64], approvals: [Int64], budget: Int64, nodeLimit: Int) {
        self.costs = costs
        self.approvals = approvals
        self.budget = budget
        self.nodeLimit = nodeLimit
        taken = Array(repeating: false, count: costs.count)
        best = taken
    }

    /// False when the node limit was reached before the search finished.
    mutating func run() -> Bool { visit(0, room: budget, welfare: 0, cost: 0) }

    /// The most welfare the items from `index` on could add within `room`, taking the first that does not fit in part.
    private func bound(from index: Int, room: Int64) -> Int128 {
        var room = room, welfare: Int128 = 0
        for item in index..<costs.count {
            if costs[item] <= room {
                room -= costs[item]
                welfare += Int128(costs[item]) * Int128(approvals[item])
            } else {
                return welfare + Int128(room) * Int128(approvals[item])
            }
        }
        return welfare
    }

    private mutating func visit(_ index: Int, room: Int64, welfare: Int128, cost: Int64) -> Bool {
        nodes += 1
        if nodes > nodeLimit { return false }
        if index == costs.count {
            if welfare > bestWelfare || (welfare == bestWelfare && cost < bestCost) { bestWelfare = welfare; bestCost = cost; best = taken }
            return true
        }
        let most = welfare + bound(from: index, room: room)
        if most < bestWelfare || (most == bestWelfare && cost >= bestCost) { return true }
        if costs[index] <= room {
            taken[index] = true
            let finished = visit(index + 1, room: room - costs[index], welfare: welfare + Int128(costs[index]) * Int128(approvals[index]),
                                 cost: cost + costs[index])
            taken[index] = false
            if !finished { return false }
        }
        return visit(index + 1, room: room, welfare: welfare, cost: cost)
    }
}
