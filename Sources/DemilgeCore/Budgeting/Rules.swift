import BigInt
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

    /// Whether utility is the project's cost times the ballot's weight, so that a free project gives none.
    var scalesByCost: Bool { self == .cost || self == .pointsTimesCost }
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
        var approvals = Array(repeating: 0, count: instance.projects.count)
        var points = Array(repeating: 0, count: instance.projects.count)
        for ballot in instance.ballots {
            for (position, project) in ballot.projects.enumerated() {
                approvals[project] += 1
                points[project] += ballot.points[position]
            }
        }
        let order: [Int]
        var outcome = initial ?? BudgetingOutcome(selected: [], cost: .zero)
        var chosen = Array(repeating: false, count: instance.projects.count)
        for project in outcome.selected { chosen[project] = true }
        if let scaled = instance.integerCosts {
            // Score = total / cost as integers over the common denominator; compared by exact cross products.
            let scores = instance.projects.indices.map { project -> GreedyScore in
                let cost = scaled.costs[project]
                switch satisfaction {
                case .cost: return GreedyScore(cost == 0 ? 0 : approvals[project], 1)
                case .pointsTimesCost: return GreedyScore(cost == 0 ? 0 : points[project], 1)
                case .cardinality: return GreedyScore(approvals[project], cost)
                case .points: return GreedyScore(points[project], cost)
                }
            }
            order = ranked(instance) { scores[$0] }
            var total = outcome.selected.reduce(Int64(0)) { $0 + scaled.costs[$1] }
            for project in order where !chosen[project] && total + scaled.costs[project] <= scaled.budget {
                outcome.selected.append(project)
                total += scaled.costs[project]
                chosen[project] = true
            }
            outcome.cost = outcome.selected.reduce(.zero) { $0 + instance.projects[$1].cost }
            return outcome
        }
        // Costs too finely divided for 64-bit integers: the same on rationals.
        enum Score: Comparable { case finite(Rational), infinite }
        let scores = instance.projects.indices.map { project -> Score in
            let cost = instance.projects[project].cost
            let total: Rational
            switch satisfaction {
            case .cost: total = cost * Rational(approvals[project])
            case .cardinality: total = Rational(approvals[project])
            case .points: total = Rational(points[project])
            case .pointsTimesCost: total = cost * Rational(points[project])
            }
            if cost.isZero { return total.isZero ? .finite(.zero) : .infinite }
            return .finite(total / cost)
        }
        order = ranked(instance) { scores[$0] }
        for project in order where !chosen[project] && outcome.cost + instance.projects[project].cost <= instance.budget {
            outcome.selected.append(project)
            outcome.cost = outcome.cost + instance.projects[project].cost
            chosen[project] = true
        }
        return outcome
    }

    /// Projects by decreasing score, ties kept in id order (pabutools sorts by id, then stably by score).
    static func ranked<Score: Comparable>(_ instance: BudgetingInstance, by score: (Int) -> Score) -> [Int] {
        let scores = instance.projects.indices.map(score)
        return instance.lexicographicOrder.enumerated().sorted { a, b in
            scores[a.element] != scores[b.element] ? scores[a.element] > scores[b.element] : a.offset < b.offset
        }.map(\.element)
    }
}

/// total / cost with integer parts; cost 0 scores +∞ if someone likes the project, else 0.
struct GreedyScore: Comparable {
    let total: Int64
    let cost: Int64
    let isInfinite: Bool

    init(_ total: Int, _ cost: Int64) {
        isInfinite = cost == 0 && total > 0
        (self.total, self.cost) = cost == 0 ? (0, 1) : (Int64(total), cost)
    }

    static func < (a: GreedyScore, b: GreedyScore) -> Bool {
        if a.isInfinite || b.isInfinite { return !a.isInfinite && b.isInfinite }
        let left = a.total.multipliedFullWidth(by: b.cost), right = b.total.multipliedFullWidth(by: a.cost)
        return (left.high, left.low) < (right.high, right.low)
    }

    static func == (a: GreedyScore, b: GreedyScore) -> Bool { !(a < b) && !(b < a) }
}

extension BudgetingInstance {
    /// Costs and budget as integers over their common denominator, when they fit comfortably in 64 bits.
    var integerCosts: (costs: [Int64], budget: Int64)? {
        var denominator = budget.denominator
        for project in projects {
            denominator = denominator / denominator.greatestCommonDivisor(with: project.cost.denominator) * project.cost.denominator
        }
        let scaled = ([budget] + projects.map(\.cost)).map { $0.numerator * (denominator / $0.denominator) }
        let limit = BigInt(1) << 56
        guard scaled.allSatisfy({ $0.magnitude < limit.magnitude }), scaled.reduce(BigInt(0), +) < limit else { return nil }
        let values = scaled.map { Int64($0) }
        return (Array(values.dropFirst()), values[0])
    }
}
