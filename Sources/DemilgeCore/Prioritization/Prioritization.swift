import BigInt
import Foundation

/// One focus group's ranking: tiers from most to least important; problems in one tier are tied.
/// Problems the group did not rank are simply absent.
public struct GroupRanking<ProblemID: Hashable & Comparable & Sendable>: Sendable {
    public var group: String
    public var tiers: [[ProblemID]]

    public init(group: String, tiers: [[ProblemID]]) {
        self.group = group
        self.tiers = tiers
    }

    /// A ranking without ties.
    public init(group: String, order: [ProblemID]) {
        self.init(group: group, tiers: order.map { [$0] })
    }
}

public enum PrioritizationError: Error, Equatable, Sendable {
    case noGroups
    case emptyGroup(String)
    case duplicateProblem(group: String)
    case tooManyProblems(group: String, limit: Int)
    case duplicateGroup(String)
    case tooManyGroups(limit: Int)

    public var catalogKey: String {
        switch self {
        case .noGroups: "error.priorities.no_groups"
        case .emptyGroup: "error.priorities.empty_group"
        case .duplicateProblem: "error.priorities.duplicate_problem"
        case .tooManyProblems: "error.priorities.too_many"
        case .duplicateGroup: "error.priorities.duplicate_group"
        case .tooManyGroups: "error.priorities.too_many_groups"
        }
    }
}

/// The community's priority list, with each group's own view kept for comparison.
public struct PriorityList<ProblemID: Hashable & Comparable & Sendable>: Sendable {
    public struct Entry: Sendable {
        public let problem: ProblemID
        /// 1 for the top; problems with exactly equal points share a rank.
        public let rank: Int
        /// Points as an exact fraction of `PriorityList.denominator`; every group hands out
        /// the same total, so the points of all problems sum to `groupCount × denominator`.
        public let numerator: Int64
        /// Each group's place for this problem (nil: the group did not rank it).
        public let places: [String: Int]
        public let groupsRanking: Int
    }

    public let entries: [Entry]
    public let groups: [String]
    public let denominator: Int64

    /// Points out of 100 per group, to one decimal, rounded half up (for display only). Exact in big integers:
    /// `numerator × 1000` does not fit in 64 bits for sessions with many groups.
    public func points(_ entry: Entry) -> (tenths: Int64, text: String) {
        let tenths = Int64(clamping: (BigInt(entry.numerator) * 1000 + BigInt(denominator) / 2) / BigInt(max(denominator, 1)))
        return (tenths, "\(tenths / 10).\(tenths % 10)")
    }

    /// How many problems each group ranked.
    public let rankedCount: [String: Int]

    /// Problems the groups see very differently: in one group's top three, and ranked three or
    /// more places lower by another group, or left out by a group that ranked at least three.
    public var disagreements: [ProblemID] {
        entries.filter { entry in
            guard let best = entry.places.values.min(), best <= 3 else { return false }
            return groups.contains { group in
                guard let place = entry.places[group] else { return (rankedCount[group] ?? 0) >= 3 }
                return place - best >= 3
            }
        }.map(\.problem)
    }
}

/// Turns focus-group rankings into the community's priority list so that every group weighs
/// the same, whatever its size or how many problems it ranked.
///
/// A group that ranks k problems gives k points to its first, k−1 to its second … 1 to its last
/// (Borda); tied problems share the average of the places they span. Each group's points are then
/// scaled to the same total, so a group of 40 women and a group of 6 elders count equally, and a
/// group that ranked 3 problems counts as much as one that ranked 10. Problems a group did not rank
/// get nothing from it. Arithmetic is exact: ties in the result are real ties.
public enum Prioritization {
    /// A focus group can rank at most this many problems, and a session has at most this many groups: together
    /// they keep the exact arithmetic in 64 bits (the common denominator is at most lcm of k(k+1) for k ≤ 30,
    /// about 7·10¹³, and each group adds at most 60 of it to a problem).
    public static let maximumRanked = 30
    public static let maximumGroups = 100

    public static func aggregate<ID>(_ rankings: [GroupRanking<ID>]) throws(PrioritizationError) -> PriorityList<ID> {
        guard !rankings.isEmpty else { throw .noGroups }
        guard rankings.count <= maximumGroups else { throw .tooManyGroups(limit: maximumGroups) }
        var seenGroups: Set<String> = []
        // Doubled Borda points keep averages over tied places whole numbers.
        var doubledPoints: [(points: [ID: Int64], total: Int64)] = []
        var places: [ID: [String: Int]] = [:]
        var rankedCount: [String: Int] = [:]
        for ranking in rankings {
            guard seenGroups.insert(ranking.group).inserted else { throw .duplicateGroup(ranking.group) }
            let tiers = ranking.tiers.filter { !$0.isEmpty }
            let ranked = tiers.flatMap { $0 }
            guard !ranked.isEmpty else { throw .emptyGroup(ranking.group) }
            guard Set(ranked).count == ranked.count else { throw .duplicateProblem(group: ranking.group) }
            guard ranked.count <= maximumRanked else { throw .tooManyProblems(group: ranking.group, limit: maximumRanked) }
            let k = Int64(ranked.count)
            rankedCount[ranking.group] = ranked.count
            var points: [ID: Int64] = [:]
            var position: Int64 = 0
            for tier in tiers {
                let size = Int64(tier.count)
                // Average of k−position … k−position−size+1, doubled.
                let doubled = 2 * (k - position) - (size - 1)
                for problem in tier {
                    points[problem] = doubled
                    places[problem, default: [:]][ranking.group] = Int(position) + 1
                }
                position += size
            }
            doubledPoints.append((points, k * (k + 1)))
        }
        let denominator = doubledPoints.reduce(Int64(1)) { lcm($0, $1.total) }
        var numerators: [ID: Int64] = [:]
        for group in doubledPoints {
            let scale = denominator / group.total
            for (problem, points) in group.points {
                let (added, multiplyOverflow) = points.multipliedReportingOverflow(by: scale)
                let (sum, addOverflow) = numerators[problem, default: 0].addingReportingOverflow(added)
                guard !multiplyOverflow, !addOverflow else { throw .tooManyGroups(limit: maximumGroups) }
                numerators[problem] = sum
            }
        }
        let ordered = numerators.sorted { a, b in
            if a.value != b.value { return a.value > b.value }
            let firstA = places[a.key]?.values.filter { $0 == 1 }.count ?? 0
            let firstB = places[b.key]?.values.filter { $0 == 1 }.count ?? 0
            return firstA != firstB ? firstA > firstB : a.key < b.key
        }
        var entries: [PriorityList<ID>.Entry] = []
        for (index, item) in ordered.enumerated() {
            let rank = index > 0 && ordered[index - 1].value == item.value ? entries[index - 1].rank : index + 1
            let groupPlaces = places[item.key] ?? [:]
            entries.append(.init(problem: item.key, rank: rank, numerator: item.value, places: groupPlaces, groupsRanking: groupPlaces.count))
        }
        return PriorityList(entries: entries, groups: rankings.map(\.group), denominator: denominator, rankedCount: rankedCount)
    }

    static func gcd(_ a: Int64, _ b: Int64) -> Int64 { b == 0 ? a : gcd(b, a % b) }
    static func lcm(_ a: Int64, _ b: Int64) -> Int64 { a / gcd(a, b) * b }
}
