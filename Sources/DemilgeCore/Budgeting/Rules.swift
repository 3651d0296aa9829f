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
}
