import BigInt
import Foundation

/// How fair an outcome is to the voters, as `pabutools.analysis` measures it (exact rationals, as pabutools'
/// gmpy2). A voter "voted for" a project their ballot names (points and ranks aside, as pabutools' `in`).
public struct OutcomeMeasures: Equatable, Sendable {
    /// Voters with at least one funded project they voted for (`percent_non_empty_handed`, times the voters).
    public let votersWithAProject: Int
    public let voters: Int
    /// Mean number of funded projects a voter voted for (`avg_satisfaction` with `Cardinality_Sat`).
    public let averageProjects: Rational
    /// Mean money spent on projects a voter voted for (`avg_satisfaction` with `Cost_Sat`).
    public let averageSpent: Rational
    /// Gini coefficient of those two satisfactions (`gini_coefficient_of_satisfaction`): 0 when all voters get
    /// the same, towards 1 when a few get everything.
    public let giniProjects: Rational
    public let giniSpent: Rational
    /// No project left out would still fit in the budget (`Instance.is_exhaustive`).
    public let exhaustive: Bool
    /// EJR up to one project with `Cardinality_Sat` (`is_EJR_one_approval`); nil when the ballots are not approval
    /// ballots or the election is too large to check exactly (more than `ejrProjectLimit` projects, or 2^projects × voters above `ejrWorkLimit`).
    public let ejrUpToOne: Bool?

    public static let ejrProjectLimit = 20
    public static let ejrWorkLimit = 5_000_000

    /// The share of voters with a project they voted for (pabutools' `percent_non_empty_handed`).
    public var shareWithAProject: Rational { voters == 0 ? .zero : Rational(votersWithAProject) / Rational(voters) }

    public init(_ instance: BudgetingInstance, _ outcome: BudgetingOutcome) {
        var funded = Array(repeating: false, count: instance.projects.count)
        for project in outcome.selected { funded[project] = true }
        var counts: [Int] = [], spent: [Rational] = []
        counts.reserveCapacity(instance.ballots.count)
        spent.reserveCapacity(instance.ballots.count)
        for ballot in instance.ballots {
            let mine = Set(ballot.projects).filter { funded[$0] }
            counts.append(mine.count)
            spent.append(mine.reduce(.zero) { $0 + instance.projects[$1].cost })
        }
        voters = instance.ballots.count
        votersWithAProject = counts.filter { $0 > 0 }.count
        let n = Rational(max(voters, 1))
        averageProjects = Rational(counts.reduce(0, +)) / n
        averageSpent = spent.reduce(.zero, +) / n
        giniProjects = Self.gini(counts.map { Rational($0) })
        giniSpent = Self.gini(spent)
        let total = outcome.selected.reduce(Rational.zero) { $0 + instance.projects[$1].cost }
        exhaustive = !instance.projects.indices.contains { !funded[$0] && total + instance.projects[$0].cost <= instance.budget }
        ejrUpToOne = Self.ejrUpToOne(instance, funded: funded)
    }

    /// pabutools `gini_coefficient`: (n + 1 − 2 Σ vᵢ (n − i) / Σ v) / n over the values sorted ascending, i from 0;
    /// 0 when every value is 0.
    static func gini(_ values: [Rational]) -> Rational {
        let sum = values.reduce(.zero, +)
        guard !values.isEmpty, !sum.isZero else { return .zero }
        let n = values.count
        var weighted = Rational.zero
        for (i, value) in values.sorted().enumerated() { weighted = weighted + value * Rational(n - i) }
        return (Rational(n + 1) - Rational(2) * weighted / sum) / Rational(n)
    }

    /// EJR up to one, approval ballots, `Cardinality_Sat`: every group of voters who all voted for a set T of
    /// projects and are numerous enough to pay for it (|group| × budget ≥ voters × cost(T)) has a member with at
    /// least |T| funded projects they voted for once the best missing project of T is added. For each T it is
    /// enough to count the voters of T left short: they form the largest group that could break it.
    static func ejrUpToOne(_ instance: BudgetingInstance, funded: [Bool]) -> Bool? {
        let m = instance.projects.count, n = instance.ballots.count
        guard instance.voteType == .approval || instance.voteType == .choose1, m <= ejrProjectLimit,
              (1 << m) * max(n, 1) <= ejrWorkLimit, let scaled = instance.integerCosts else { return nil }
        let ballots = instance.ballots.map { ballot in ballot.projects.reduce(0) { $0 | (1 << $1) } }
        let fundedMask = funded.enumerated().reduce(0) { $1.element ? $0 | (1 << $1.offset) : $0 }
        let satisfied = ballots.map { ($0 & fundedMask).nonzeroBitCount }
        // Costs of every set of projects, each from the set without its lowest project (64-bit: costs < 2^56).
        var costs = [Int64](repeating: 0, count: 1 << m)
        for subset in 1..<(1 << m) {
            costs[subset] = costs[subset & (subset - 1)] + scaled.costs[subset.trailingZeroBitCount]
        }
        for subset in 1..<(1 << m) {
            let wanted = subset.nonzeroBitCount
            // One missing project of T adds 1 to a voter's count whenever T is not all funded.
            let upToOne = subset & ~fundedMask != 0 ? 1 : 0
            var short = 0
            for (voter, ballot) in ballots.enumerated() where ballot & subset == subset && satisfied[voter] + upToOne < wanted {
                short += 1
            }
            let need = costs[subset].multipliedFullWidth(by: Int64(n)), have = scaled.budget.multipliedFullWidth(by: Int64(short))
            if short > 0, (need.high, need.low) <= (have.high, have.low) { return false }
        }
        return true
    }
}

extension OutcomeMeasures {
    /// The measures as `demilge pb outcome` writes them: exact rationals as text ("7/10"), EJR null when not checked.
    public struct JSON: Encodable, Sendable {
        let voters: Int
        let voters_with_a_project: Int
        let share_with_a_project: String
        let average_projects: String
        let average_spent: String
        let gini_projects: String
        let gini_spent: String
        let exhaustive: Bool
        let ejr_up_to_one: Bool?

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(voters, forKey: .voters)
            try container.encode(voters_with_a_project, forKey: .voters_with_a_project)
            try container.encode(share_with_a_project, forKey: .share_with_a_project)
            try container.encode(average_projects, forKey: .average_projects)
            try container.encode(average_spent, forKey: .average_spent)
            try container.encode(gini_projects, forKey: .gini_projects)
            try container.encode(gini_spent, forKey: .gini_spent)
            try container.encode(exhaustive, forKey: .exhaustive)
            try container.encode(ejr_up_to_one, forKey: .ejr_up_to_one)
        }

        enum Keys: String, CodingKey {
            case voters, voters_with_a_project, share_with_a_project, average_projects, average_spent, gini_projects, gini_spent,
                 exhaustive, ejr_up_to_one
        }
    }

    public var json: JSON {
        JSON(voters: voters, voters_with_a_project: votersWithAProject, share_with_a_project: shareWithAProject.description,
             average_projects: averageProjects.description, average_spent: averageSpent.description, gini_projects: giniProjects.description,
             gini_spent: giniSpent.description, exhaustive: exhaustive, ejr_up_to_one: ejrUpToOne)
    }
}
