import BigInt
import Foundation

extension BudgetingRules {
    /// Maximum-flow computations maximin support may run before it is refused.
    public static let maximinSupportFlows = 200_000

    /// pabutools `maximin_support` (approval ballots): each step adds the affordable project that keeps the least
    /// "maximum load" — the smallest z such that the costs of the chosen projects and the new one can be shared
    /// among their supporters with nobody paying more than z — ties to the smallest id, until nothing left fits.
    /// pabutools solves a linear program per candidate; the least z is exactly the largest cost(S) / supporters(S)
    /// over sets S of those projects, found here by maximum flows on the voters grouped by what they support
    /// (Dinkelbach's iteration: a flow that cannot carry every cost names a set S whose ratio is the next z).
    /// A project with a cost and no supporter makes every set that holds it infeasible (+∞, as pabutools' failed
    /// linear program): such projects come last, in id order, while they fit.
    /// Candidates are tried in the order of a lower bound on their load (then id) and the search stops once no
    /// candidate left could beat the best found, or tie with it and win the tie. Throws when costs do not fit 64-bit integers or more than `maximinSupportFlows` flows run.
    public static func maximinSupport(_ instance: BudgetingInstance) throws(RuleTooLarge) -> BudgetingOutcome {
        guard let scaled = instance.integerCosts else { throw RuleTooLarge(rule: .maximinSupport, runs: .max) }
        var search = MaximinSearch(instance, costs: scaled.costs)
        var rank = Array(repeating: 0, count: instance.projects.count)
        for (position, project) in instance.lexicographicOrder.enumerated() { rank[project] = position }
        var available = instance.projects.indices.filter { scaled.costs[$0] <= scaled.budget }
        var remaining = scaled.budget
        var outcome = BudgetingOutcome(selected: [], cost: .zero)
        while true {
            available = available.filter { scaled.costs[$0] <= remaining }
            guard !available.isEmpty else { break }
            guard let (chosen, load) = try search.leastLoad(among: available, rank: rank) else { break }
            search.add(chosen, load: load)
            available.removeAll { $0 == chosen }
            remaining -= scaled.costs[chosen]
            outcome.selected.append(chosen)
            outcome.cost = outcome.cost + instance.projects[chosen].cost
        }
        return outcome
    }
}

/// The chosen projects with their supporters grouped by type (the chosen projects each voter supports), and the
/// exact least maximum load of the chosen projects with one candidate more.
private struct MaximinSearch {
    let costs: [Int64]
    let supporters: [[Int32]]
    /// The chosen projects with a cost (free ones add no load).
    private var paid: [Int] = []
    /// A chosen project with a cost and no supporter: every load from now on is +∞.
    private var infeasible = false
    /// Each voter's type (an index into `types`), or -1 when they support no chosen project with a cost.
    private var typeOf: [Int32]
    /// Per type: the positions in `paid` of the projects it supports, and how many voters have it.
    private var types: [(projects: [Int32], count: Int)] = []
    private var supportersOfPaid = 0
    private var load: Rational = .zero
    /// A candidate's load computed at an earlier step: a lower bound on it now, since a load only grows as projects
    /// are added (the lazy evaluation that spares most flows).
    private var earlier: [Rational?]
    private var flows = 0

    init(_ instance: BudgetingInstance, costs: [Int64]) {
        self.costs = costs
        var supporters = Array(repeating: [Int32](), count: instance.projects.count)
        for (voter, ballot) in instance.ballots.enumerated() {
            for project in Set(ballot.projects) { supporters[project].append(Int32(voter)) }
        }
        self.supporters = supporters
        typeOf = Array(repeating: -1, count: instance.ballots.count)
        earlier = Array(repeating: nil, count: instance.projects.count)
    }

    /// The candidate whose load with the chosen projects is least, ties to the smallest `rank` (nil load: +∞, when
    /// every candidate's load is).
    mutating func leastLoad(among candidates: [Int], rank: [Int]) throws(RuleTooLarge) -> (Int, Rational?)? {
        let finite = infeasible ? [] : candidates.filter { costs[$0] == 0 || !supporters[$0].isEmpty }
        guard !finite.isEmpty else { return candidates.min { rank[$0] < rank[$1] }.map { ($0, nil) } }
        let paidCost = paid.reduce(Int64(0)) { $0 + costs[$1] }
        let bounds = finite.map { candidate -> (candidate: Int, bound: Rational) in
            guard costs[candidate] > 0 else { return (candidate, load) }
            let newcomers = supporters[candidate].filter { typeOf[Int($0)] < 0 }.count
            let whole = Rational(Int(paidCost + costs[candidate])) / Rational(supportersOfPaid + newcomers)
            let alone = Rational(Int(costs[candidate])) / Rational(supporters[candidate].count)
            return (candidate, max(load, whole, alone, earlier[candidate] ?? .zero))
        }.sorted { ($0.bound, rank[$0.candidate]) < ($1.bound, rank[$1.candidate]) }
        var best: (candidate: Int, load: Rational)? = nil
        for (candidate, bound) in bounds {
            // Later candidates have a larger bound, or the same bound and a larger rank: at best a tie they lose.
            if let best, bound > best.load || (bound == best.load && rank[candidate] > rank[best.candidate]) { break }
            let value = costs[candidate] == 0 ? load : try exactLoad(with: candidate, from: bound)
            earlier[candidate] = value
            if let current = best, value > current.load || (value == current.load && rank[candidate] > rank[current.candidate]) { continue }
            best = (candidate, value)
        }
        return best.map { ($0.candidate, $0.load) }
    }

    /// Adds the chosen project, whose load with the projects chosen before is `load` (nil: +∞).
    mutating func add(_ project: Int, load chosenLoad: Rational?) {
        guard costs[project] > 0, !infeasible else { return }
        guard let chosenLoad, !supporters[project].isEmpty else { infeasible = true; return }
        load = chosenLoad
        let position = Int32(paid.count)
        paid.append(project)
        var moved: [Int32: Int32] = [:]
        for voter in supporters[project] {
            let old = typeOf[Int(voter)]
            if let new = moved[old] { typeOf[Int(voter)] = new; types[Int(new)].count += 1 } else {
                types.append((projects: (old < 0 ? [] : types[Int(old)].projects) + [position], count: 1))
                moved[old] = Int32(types.count - 1)
                typeOf[Int(voter)] = Int32(types.count - 1)
            }
            if old >= 0 { types[Int(old)].count -= 1 } else { supportersOfPaid += 1 }
        }
    }

    /// The least maximum load of the chosen projects and `candidate`, starting from a value known not to exceed it.
    private mutating func exactLoad(with candidate: Int, from start: Rational) throws(RuleTooLarge) -> Rational {
        let projects = paid + [candidate]
        let candidatePosition = Int32(paid.count)
        // The voters of each type, split by whether they support the candidate; newcomers support only it.
        var with = Array(repeating: 0, count: types.count), newcomers = 0
        for voter in supporters[candidate] {
            let type = typeOf[Int(voter)]
            if type < 0 { newcomers += 1 } else { with[Int(type)] += 1 }
        }
        // Voters who support one of these projects only pay for it alone: they lower its demand rather than join the
        // network (a project they pay for in full leaves it).
        var groups: [(projects: [Int32], count: Int)] = [], alone = Array(repeating: 0, count: projects.count)
        alone[Int(candidatePosition)] = newcomers
        for (index, type) in types.enumerated() where type.count > 0 {
            if with[index] > 0 { groups.append((type.projects + [candidatePosition], with[index])) }
            guard type.count > with[index] else { continue }
            if type.projects.count == 1 { alone[Int(type.projects[0])] += type.count - with[index] } else {
                groups.append((type.projects, type.count - with[index]))
            }
        }
        var z = start
        while true {
            flows += 1
            guard flows <= BudgetingRules.maximinSupportFlows else { throw RuleTooLarge(rule: .maximinSupport, runs: flows) }
            guard let a = Int64(exactly: z.numerator), let b = Int64(exactly: z.denominator) else { throw RuleTooLarge(rule: .maximinSupport, runs: .max) }
            var network = FlowNetwork(nodes: projects.count + groups.count + 2)
            let source = 0, sink = projects.count + groups.count + 1
            var demand: Int64 = 0
            for (position, project) in projects.enumerated() {
                let (full, overflow) = costs[project].multipliedReportingOverflow(by: b)
                let (paidAlone, overflowAlone) = a.multipliedReportingOverflow(by: Int64(alone[position]))
                guard !overflow, !overflowAlone, demand <= Int64.max / 4 - full else { throw RuleTooLarge(rule: .maximinSupport, runs: .max) }
                let capacity = max(0, full - paidAlone)
                demand += capacity
                network.add(source, position + 1, capacity)
            }
            for (index, group) in groups.enumerated() {
                let node = projects.count + 1 + index
                for position in group.projects { network.add(Int(position) + 1, node, FlowNetwork.unlimited) }
                let (capacity, overflow) = a.multipliedReportingOverflow(by: Int64(group.count))
                guard !overflow else { throw RuleTooLarge(rule: .maximinSupport, runs: .max) }
                network.add(node, sink, capacity)
            }
            if network.maximumFlow(from: source, to: sink) == demand { return z }
            // The projects the flow could not pay for in full, with every voter who supports one of them.
            let reached = network.reachable(from: source)
            var cost: Int64 = 0, voters = 0
            for position in projects.indices where reached[position + 1] { cost += costs[projects[position]]; voters += alone[position] }
            for index in groups.indices where reached[projects.count + 1 + index] { voters += groups[index].count }
            guard voters > 0 else { throw RuleTooLarge(rule: .maximinSupport, runs: flows) }
            let next = Rational(Int(cost)) / Rational(voters)
            guard next > z else { return z }
            z = next
        }
    }
}

/// Dinic's maximum flow on a small graph with 64-bit capacities.
private struct FlowNetwork {
    static let unlimited = Int64.max / 4
    private var head: [Int32]
    private var next: [Int32] = []
    private var target: [Int32] = []
    private var capacity: [Int64] = []

    init(nodes: Int) { head = Array(repeating: -1, count: nodes) }

    mutating func add(_ from: Int, _ to: Int, _ amount: Int64) {
        target.append(Int32(to)); capacity.append(amount); next.append(head[from]); head[from] = Int32(target.count - 1)
        target.append(Int32(from)); capacity.append(0); next.append(head[to]); head[to] = Int32(target.count - 1)
    }

    mutating func maximumFlow(from source: Int, to sink: Int) -> Int64 {
        var total: Int64 = 0
        var level = [Int32](repeating: -1, count: head.count)
        var cursor = head
        while true {
            level = [Int32](repeating: -1, count: head.count)
            level[source] = 0
            var queue = [source], index = 0
            while index < queue.count {
                let node = queue[index]; index += 1
                var edge = head[node]
                while edge >= 0 {
                    let to = Int(target[Int(edge)])
                    if capacity[Int(edge)] > 0 && level[to] < 0 { level[to] = level[node] + 1; queue.append(to) }
                    edge = next[Int(edge)]
                }
            }
            guard level[sink] >= 0 else { return total }
            cursor = head
            while true {
                let pushed = push(source, sink, Self.unlimited, &level, &cursor)
                if pushed == 0 { break }
                total += pushed
            }
        }
    }

    private mutating func push(_ node: Int, _ sink: Int, _ limit: Int64, _ level: inout [Int32], _ cursor: inout [Int32]) -> Int64 {
        if node == sink { return limit }
        while cursor[node] >= 0 {
            let edge = Int(cursor[node]), to = Int(target[edge])
            if capacity[edge] > 0 && level[to] == level[node] + 1 {
                let pushed = push(to, sink, min(limit, capacity[edge]), &level, &cursor)
                if pushed > 0 {
                    capacity[edge] -= pushed
                    capacity[edge ^ 1] += pushed
                    return pushed
                }
            }
            cursor[node] = next[edge]
        }
        return 0
    }

    /// The nodes reachable from `source` through edges with capacity left.
    func reachable(from source: Int) -> [Bool] {
        var seen = [Bool](repeating: false, count: head.count)
        seen[source] = true
        var stack = [source]
        while let node = stack.popLast() {
            var edge = head[node]
            while edge >= 0 {
                let to = Int(target[Int(edge)])
                if capacity[Int(edge)] > 0 && !seen[to] { seen[to] = true; stack.append(to) }
                edge = next[Int(edge)]
            }
        }
        return seen
    }
}
