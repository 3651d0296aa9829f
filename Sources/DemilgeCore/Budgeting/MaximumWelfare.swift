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
