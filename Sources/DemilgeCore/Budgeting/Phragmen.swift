import Foundation

extension BudgetingRules {
    /// pabutools `sequential_phragmen` (approval ballots: a project a ballot names is approved). Voters' loads start
    /// at 0; each step buys the project whose supporters' loads, with its cost shared among them, would reach the
    /// smallest maximum (Σ loads + cost) / supporters, ties to the smallest id, and every supporter's load becomes
    /// that maximum. It stops as soon as one of the projects tied at that smallest value does not fit the money
    /// left. Projects dearer than the budget never enter; projects nobody supports tie at +∞ and are bought in id
    /// order once nothing else is left, while they fit.
    ///
    /// Loads are kept in floating point to find the front and exactly (each load is one of the maxima reached so
    /// far) wherever two values come within rounding distance, so ties are decided on exact values. A maximum is
    /// kept as its definition (the cost and the levels its supporters were at) and made exact only when a tie needs it.
    public static func sequentialPhragmen(_ instance: BudgetingInstance) -> BudgetingOutcome {
        let count = instance.projects.count, voters = instance.ballots.count
        var supporters = Array(repeating: [Int32](), count: count)
        for (voter, ballot) in instance.ballots.enumerated() {
            for project in Set(ballot.projects) { supporters[project].append(Int32(voter)) }
        }
        var rank = Array(repeating: 0, count: count)
        for (position, project) in instance.lexicographicOrder.enumerated() { rank[project] = position }
        let costs = instance.projects.map(\.cost), costsD = costs.map(\.doubleValue)
        var remaining = instance.projects.indices.filter { costs[$0] <= instance.budget }
        // Every voter's load is one of the levels (the maxima reached so far): in floating point, and exactly once asked.
        var levelsD = [0.0]
        var exactLevels: [Rational?] = [.zero]
        var definitions: [(project: Int, members: [Int32: Int])] = [(0, [:])]
        var level = Array(repeating: Int32(0), count: voters)
        var loadSum = Array(repeating: 0.0, count: count)
        var outcome = BudgetingOutcome(selected: [], cost: .zero)

        func members(_ project: Int) -> [Int32: Int] {
            var members: [Int32: Int] = [:]
            for voter in supporters[project] { members[level[Int(voter)], default: 0] += 1 }
            return members
        }
        func maximum(_ project: Int, _ members: [Int32: Int]) -> Rational {
            let loads = members.reduce(Rational.zero) { $0 + exactLevel(Int($1.key)) * Rational($1.value) }
            return (loads + costs[project]) / Rational(supporters[project].count)
        }
        func exactLevel(_ index: Int) -> Rational {
            if let known = exactLevels[index] { return known }
            let value = maximum(definitions[index].project, definitions[index].members)
            exactLevels[index] = value
            return value
        }

        while !remaining.isEmpty {
            let supported = remaining.filter { !supporters[$0].isEmpty }
            var tied: [Int]
            if supported.isEmpty {
                tied = remaining
            } else {
                let value = { (p: Int) in (loadSum[p] + costsD[p]) / Double(supporters[p].count) }
                let smallest = supported.map(value).min() ?? 0
                let near = supported.filter { value($0) <= smallest * (1 + 1e-9) }
                if near.count == 1 {
                    tied = near
                } else {
                    let exact = near.map { ($0, maximum($0, members($0))) }
                    let least = exact.map(\.1).min() ?? .zero
                    tied = exact.filter { $0.1 == least }.map(\.0)
                }
            }
            if tied.contains(where: { outcome.cost + costs[$0] > instance.budget }) { break }
            guard let chosen = tied.min(by: { rank[$0] < rank[$1] }) else { break }
            remaining.removeAll { $0 == chosen }
            outcome.selected.append(chosen)
            outcome.cost = outcome.cost + costs[chosen]
            guard !supported.isEmpty else { continue }
            let definition = members(chosen)
            definitions.append((chosen, definition))
            exactLevels.append(nil)
            levelsD.append((definition.reduce(0.0) { $0 + levelsD[Int($1.key)] * Double($1.value) } + costsD[chosen]) / Double(supporters[chosen].count))
            let new = Int32(levelsD.count - 1)
            for voter in supporters[chosen] {
                let change = levelsD[Int(new)] - levelsD[Int(level[Int(voter)])]
                for project in instance.ballots[Int(voter)].projects { loadSum[project] += change }
                level[Int(voter)] = new
            }
        }
        return outcome
    }
}
