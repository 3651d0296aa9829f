import Foundation

/// How much a voter gets from a project, as pabutools' satisfaction classes define it.
public enum Satisfaction: Sendable {
    /// The project's cost if the ballot names it (pabutools `Cost_Sat`).
    case cost
    /// 1 if the ballot names it (`Cardinality_Sat`).
    case cardinality
    /// The points the ballot gives it (`Additive_Cardinal_Sat`).
    case points
    /// Points × cost (greedy by total points).
    case pointsTimesCost
}

/// An outcome: the funded projects, in the order the rule selected them.
public struct BudgetingOutcome: Equatable, Sendable {
    public var selected: [Int]
    public var cost: Rational

    public init(selected: [Int], cost: Rational) {
        self.selected = selected
        self.cost = cost
    }
}

extension BudgetingInstance {
    /// Approvals (or points) per project, and who gave them.
    struct Support {
        var voters: [[Int32]]
        var points: [[Int32]]
    }

    func support() -> Support {
        var voters = Array(repeating: [Int32](), count: projects.count)
        var points = Array(repeating: [Int32](), count: projects.count)
        for (voter, ballot) in ballots.enumerated() {
            for (position, project) in ballot.projects.enumerated() {
                voters[project].append(Int32(voter))
                points[project].append(Int32(ballot.points[position]))
            }
        }
        return Support(voters: voters, points: points)
    }

    /// Project indices in pabutools' lexicographic order of ids (Python `str` order).
    var lexicographicOrder: [Int] {
        projects.indices.sorted { projects[$0].id.precedesByScalars(projects[$1].id) }
    }
}

public enum BudgetingRules {
    // MARK: - Greedy

    /// pabutools `greedy_utilitarian_welfare`: projects by decreasing total satisfaction / cost
    /// (ties in id order), each taken while it fits; optionally continuing from an earlier outcome.
    public static func greedy(_ instance: BudgetingInstance, _ satisfaction: Satisfaction, startingFrom initial: BudgetingOutcome? = nil) -> BudgetingOutcome {
        let support = instance.support()
        // A score per project: total satisfaction / cost; +∞ for a free project someone likes.
        enum Score: Comparable { case finite(Rational), infinite }
        func score(_ project: Int) -> Score {
            let cost = instance.projects[project].cost
            let total: Rational
            switch satisfaction {
            case .cost: total = cost * Rational(support.voters[project].count)
            case .cardinality: total = Rational(support.voters[project].count)
            case .points: total = Rational(support.points[project].reduce(0) { $0 + Int($1) })
            case .pointsTimesCost: total = cost * Rational(support.points[project].reduce(0) { $0 + Int($1) })
            }
            if cost.isZero { return total.isZero ? .finite(.zero) : .infinite }
            return .finite(total / cost)
        }
        let scores = instance.projects.indices.map(score)
        let order = instance.lexicographicOrder.enumerated().sorted { a, b in
            scores[a.element] != scores[b.element] ? scores[a.element] > scores[b.element] : a.offset < b.offset
        }.map(\.element)
        var outcome = initial ?? BudgetingOutcome(selected: [], cost: .zero)
        var chosen = Set(outcome.selected)
        for project in order where !chosen.contains(project) {
            let cost = instance.projects[project].cost
            if outcome.cost + cost <= instance.budget {
                outcome.selected.append(project)
                outcome.cost = outcome.cost + cost
                chosen.insert(project)
            }
        }
        return outcome
    }

    // MARK: - Method of Equal Shares

    /// pabutools `method_of_equal_shares` without completion. Each voter starts with budget / n;
    /// each round buys the affordable project with the smallest ρ (supporters pay min(own money, ρ·utility)),
    /// exact ties going to the smallest id.
    ///
    /// Voters who have paid the same amounts hold the same money, so supporters are handled as groups
    /// of equal budgets: a round costs one pass over the ballots plus a sort of a few groups per project.
    public static func equalShares(_ instance: BudgetingInstance, _ satisfaction: Satisfaction, perVoterBudget: Rational? = nil) -> BudgetingOutcome {
        let support = instance.support()
        let voterCount = instance.ballots.count
        guard voterCount > 0 else { return BudgetingOutcome(selected: [], cost: .zero) }
        let start = perVoterBudget ?? instance.budget / Rational(voterCount)
        // Budgets are interned: `budgetOf[voter]` indexes `budgets`.
        var budgets: [Rational] = [start]
        var budgetOf = Array(repeating: Int32(0), count: voterCount)
        func utility(_ project: Int, _ position: Int) -> Rational {
            switch satisfaction {
            case .cost: instance.projects[project].cost
            case .cardinality: .one
            case .points: Rational(Int(support.points[project][position]))
            case .pointsTimesCost: instance.projects[project].cost * Rational(Int(support.points[project][position]))
            }
        }
        let order = instance.lexicographicOrder
        var rankOf = Array(repeating: 0, count: instance.projects.count)
        for (rank, project) in order.enumerated() { rankOf[project] = rank }

        var outcome = BudgetingOutcome(selected: [], cost: .zero)
        var candidates: [Int] = []
        for project in order {
            let supported = support.voters[project].indices.contains { !utility(project, $0).isZero }
            guard supported else { continue }
            if instance.projects[project].cost.isZero { outcome.selected.append(project) } else { candidates.append(project) }
        }

        struct Group { var budget: Int32; var utility: Rational; var count: Int }
        struct GroupKey: Hashable { let budget: Int32; let utility: Rational }
        while true {
            var best: (project: Int, rho: Rational)? = nil
            for project in candidates {
                let cost = instance.projects[project].cost
                // Group this project's supporters by (budget, utility).
                var groups: [Group] = []
                var slot: [GroupKey: Int] = [:]
                for (position, voter) in support.voters[project].enumerated() {
                    let u = utility(project, position)
                    if u.isZero { continue }
                    let key = GroupKey(budget: budgetOf[Int(voter)], utility: u)
                    if let index = slot[key] { groups[index].count += 1 }
                    else { slot[key] = groups.count; groups.append(Group(budget: budgetOf[Int(voter)], utility: u, count: 1)) }
                }
                var available = Rational.zero
                for group in groups { available = available + budgets[Int(group.budget)] * Rational(group.count) }
                guard available >= cost else { continue }
                groups.sort { budgets[Int($0.budget)] / $0.utility < budgets[Int($1.budget)] / $1.utility }
                var remaining = cost
                var utilityLeft = groups.reduce(Rational.zero) { $0 + $1.utility * Rational($1.count) }
                var rho: Rational? = nil
                for group in groups {
                    let ratio = budgets[Int(group.budget)] / group.utility
                    if ratio * utilityLeft >= remaining { rho = remaining / utilityLeft; break }
                    remaining = remaining - budgets[Int(group.budget)] * Rational(group.count)
                    utilityLeft = utilityLeft - group.utility * Rational(group.count)
                }
                guard let rho else { continue }
                if let current = best, !(rho < current.rho || (rho == current.rho && rankOf[project] < rankOf[current.project])) { continue }
                best = (project, rho)
            }
            guard let (project, rho) = best else { break }
            // Supporters pay min(budget, ρ·u); equal (budget, utility) pairs land on the same new budget.
            var moved: [GroupKey: Int32] = [:]
            for (position, voter) in support.voters[project].enumerated() {
                let u = utility(project, position)
                if u.isZero { continue }
                let old = budgetOf[Int(voter)]
                let key = GroupKey(budget: old, utility: u)
                if let new = moved[key] { budgetOf[Int(voter)] = new; continue }
                let pay = min(budgets[Int(old)], rho * u)
                let new = Int32(budgets.count)
                budgets.append(budgets[Int(old)] - pay)
                moved[key] = new
                budgetOf[Int(voter)] = new
            }
            outcome.selected.append(project)
            outcome.cost = outcome.cost + instance.projects[project].cost
            candidates.removeAll { $0 == project }
        }
        return outcome
    }
}
