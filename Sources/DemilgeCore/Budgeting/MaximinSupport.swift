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
    /// candidate left could beat the best found, or tie with it and win the tie; the sets earlier flows found
    /// overloaded raise those bounds without a flow. Throws when costs do not fit 64-bit integers or more than
    /// `maximinSupportFlows` flows run.
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
    private var load = Load.zero
    /// A candidate's load computed at an earlier step: a lower bound on it now, since a load only grows as projects
    /// are added (the lazy evaluation that spares most flows).
    private var earlier: [Load?]
    /// Sets of chosen projects that a flow found overloaded lately: with a candidate added, each is a set whose ratio
    /// bounds the candidate's load from below, checked before any flow is run for it.
    private var witnesses: [Witness] = []
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
    mutating func leastLoad(among candidates: [Int], rank: [Int]) throws(RuleTooLarge) -> (Int, Load?)? {
        let finite = infeasible ? [] : candidates.filter { costs[$0] == 0 || !supporters[$0].isEmpty }
        guard !finite.isEmpty else { return candidates.min { rank[$0] < rank[$1] }.map { ($0, nil) } }
        let paidCost = paid.reduce(Int64(0)) { $0 + costs[$1] }
        let bounds = finite.map { candidate -> (candidate: Int, bound: Load) in
            guard costs[candidate] > 0 else { return (candidate, load) }
            let newcomers = supporters[candidate].filter { typeOf[Int($0)] < 0 }.count
            let whole = Load(cost: paidCost + costs[candidate], voters: supportersOfPaid + newcomers)
            let alone = Load(cost: costs[candidate], voters: supporters[candidate].count)
            return (candidate, max(load, whole, alone, earlier[candidate] ?? .zero))
        }.sorted { ($0.bound, rank[$0.candidate]) < ($1.bound, rank[$1.candidate]) }
        var best: (candidate: Int, load: Load)? = nil
        // Whether `candidate` with this load (or a lower bound on it) cannot beat the best so far, nor win a tie with it.
        func beaten(_ value: Load, _ candidate: Int) -> Bool {
            guard let best else { return false }
            return value > best.load || (value == best.load && rank[candidate] > rank[best.candidate])
        }
        for (candidate, bound) in bounds {
            // Later candidates have a larger bound, or the same bound and a larger rank: beaten too.
            if beaten(bound, candidate) { break }
            let value: Load
            if costs[candidate] == 0 { value = load } else {
                let start = witnesses.reduce(bound) { max($0, $1.ratio(adding: candidate, costs: costs, supporters: supporters)) }
                if beaten(start, candidate) {
                    earlier[candidate] = start
                    continue
                }
                switch try exactLoad(with: candidate, from: start, limit: best?.load) {
                case .above(let lower):
                    earlier[candidate] = lower
                    continue
                case .exact(let exact):
                    value = exact
                }
            }
            earlier[candidate] = value
            if !beaten(value, candidate) { best = (candidate, value) }
        }
        return best.map { ($0.candidate, $0.load) }
    }

    /// Adds the chosen project, whose load with the projects chosen before is `load` (nil: +∞).
    mutating func add(_ project: Int, load chosenLoad: Load?) {
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

    /// The least maximum load of the chosen projects and `candidate`, by Dinkelbach's iteration from `start`, a value
    /// known not to exceed it: a flow at z that cannot pay every cost names a set whose ratio is the next z. Once z
    /// passes `limit` (the best load so far) the candidate is out: returned as `.above` with that lower bound.
    private mutating func exactLoad(with candidate: Int, from start: Load, limit: Load?) throws(RuleTooLarge) -> CandidateLoad {
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
        var network = LoadNetwork(costs: projects.map { costs[$0] }, alone: alone, groups: groups)
        var z = start
        while true {
            guard let next = try overload(&network, at: z, candidate: candidate) else { return .exact(z) }
            guard next > z else { return .exact(z) }
            if let limit, next > limit { return .above(next) }
            z = next
        }
    }

    /// One flow: nil when every cost can be paid at `z`, otherwise the ratio of the set that cannot (kept as a witness).
    private mutating func overload(_ network: inout LoadNetwork, at z: Load, candidate: Int) throws(RuleTooLarge) -> Load? {
        flows += 1
        guard flows <= BudgetingRules.maximinSupportFlows else { throw RuleTooLarge(rule: .maximinSupport, runs: flows) }
        guard let overload = try network.overload(at: z) else { return nil }
        let chosen = overload.positions.filter { $0 < paid.count }.map { paid[$0] }
        if !chosen.isEmpty && !witnesses.contains(where: { $0.projects == chosen }) {
            if witnesses.count == Self.witnessesKept { witnesses.removeFirst() }
            witnesses.append(Witness(chosen, costs: costs, supporters: supporters, voters: typeOf.count))
        }
        return overload.ratio
    }

    static let witnessesKept = 12
}

/// A maximum load: a cost shared by some voters, exact; compared by cross-multiplying in 128 bits.
private struct Load: Comparable {
    let cost: Int64
    let voters: Int64

    static let zero = Load(cost: 0, voters: 1)

    /// voters > 0.
    init(cost: Int64, voters: Int) {
        self.cost = cost
        self.voters = Int64(voters)
    }

    static func < (left: Load, right: Load) -> Bool {
        let a = left.cost.multipliedFullWidth(by: right.voters), b = right.cost.multipliedFullWidth(by: left.voters)
        return (a.high, a.low) < (b.high, b.low)
    }

    static func == (left: Load, right: Load) -> Bool {
        left.cost.multipliedFullWidth(by: right.voters) == right.cost.multipliedFullWidth(by: left.voters)
    }
}

/// Chosen projects with a cost, and which voters support at least one of them.
private struct Witness {
    let projects: [Int]
    let cost: Int64
    let voters: Int
    private let supports: [UInt64]

    init(_ projects: [Int], costs: [Int64], supporters: [[Int32]], voters: Int) {
        self.projects = projects
        cost = projects.reduce(0) { $0 + costs[$1] }
        var supports = Array(repeating: UInt64(0), count: (voters + 63) / 64)
        for project in projects { for voter in supporters[project] { supports[Int(voter) >> 6] |= 1 << (UInt64(voter) & 63) } }
        self.supports = supports
        self.voters = supports.reduce(0) { $0 + $1.nonzeroBitCount }
    }

    /// cost / supporters of these projects and `candidate`: a lower bound on the candidate's load.
    func ratio(adding candidate: Int, costs: [Int64], supporters: [[Int32]]) -> Load {
        var newcomers = 0
        for voter in supporters[candidate] where supports[Int(voter) >> 6] & (1 << (UInt64(voter) & 63)) == 0 { newcomers += 1 }
        return Load(cost: cost + costs[candidate], voters: voters + newcomers)
    }
}

/// A candidate's load, or a lower bound on it above the limit it was tested against.
private enum CandidateLoad {
    case exact(Load)
    case above(Load)
}

/// The flow network of the chosen projects and one candidate: source → project (what its supporters in the network
/// must pay: its cost less what those who support it alone pay at z) → each group of voters supporting it (unlimited)
/// → sink (z per voter of the group). Every cost can be paid with nobody paying more than z exactly when the maximum
/// flow fills every project's arc. Built once per candidate; each z only sets the capacities (scaled by z's denominator
/// so that they are integers).
private struct LoadNetwork {
    private let costs: [Int64]
    private let alone: [Int]
    private let counts: [Int]
    /// The edge of each group to the sink (the first `costs.count` edges are the source's to the projects).
    private let sinkEdges: [Int]
    /// Per project position, its groups with the edge to each.
    private let groupEdges: [[(group: Int32, edge: Int32)]]
    private var graph: FlowGraph
    private let source = 0
    private var sink: Int { 1 + costs.count + counts.count }

    init(costs: [Int64], alone: [Int], groups: [(projects: [Int32], count: Int)]) {
        self.costs = costs
        self.alone = alone
        counts = groups.map(\.count)
        var edges: [(Int32, Int32)] = []
        edges.reserveCapacity(costs.count + groups.reduce(groups.count) { $0 + $1.projects.count })
        for position in costs.indices { edges.append((0, Int32(1 + position))) }
        let sink = Int32(1 + costs.count + groups.count)
        var sinkEdges: [Int] = []
        var groupEdges = Array(repeating: [(group: Int32, edge: Int32)](), count: costs.count)
        for (index, group) in groups.enumerated() {
            let node = Int32(1 + costs.count + index)
            for position in group.projects {
                groupEdges[Int(position)].append((Int32(index), Int32(edges.count)))
                edges.append((1 + position, node))
            }
            sinkEdges.append(edges.count)
            edges.append((node, sink))
        }
        self.sinkEdges = sinkEdges
        self.groupEdges = groupEdges
        graph = FlowGraph(nodes: Int(sink) + 1, edges: edges)
    }

    /// nil when every cost can be paid with nobody paying more than z; otherwise the set S of projects (positions) the
    /// flow could not pay for in full, and cost(S) / supporters(S), greater than z.
    mutating func overload(at z: Load) throws(RuleTooLarge) -> (positions: [Int], ratio: Load)? {
        let a = z.cost, b = z.voters
        var demand: Int64 = 0
        var need = Array(repeating: Int64(0), count: costs.count), room = Array(repeating: Int64(0), count: counts.count)
        for position in costs.indices {
            let (full, overflow) = costs[position].multipliedReportingOverflow(by: b)
            let (paidAlone, overflowAlone) = a.multipliedReportingOverflow(by: Int64(alone[position]))
            guard !overflow, !overflowAlone, demand <= FlowGraph.unlimited - full else { throw RuleTooLarge(rule: .maximinSupport, runs: .max) }
            let capacity = max(0, full - paidAlone)
            demand += capacity
            need[position] = capacity
            graph.setCapacity(ofEdge: position, capacity)
        }
        for (index, count) in counts.enumerated() {
            let (capacity, overflow) = a.multipliedReportingOverflow(by: Int64(count))
            guard !overflow else { throw RuleTooLarge(rule: .maximinSupport, runs: .max) }
            graph.setCapacity(ofEdge: sinkEdges[index], capacity)
            room[index] = capacity
        }
        graph.reset()
        // A first flow by hand: the projects whose groups can give least for what they need take first.
        let scarcity = costs.indices.map { position in
            groupEdges[position].reduce(0.0) { $0 + Double(room[Int($1.group)]) } / Double(max(need[position], 1))
        }
        var sent: Int64 = 0
        for position in costs.indices.sorted(by: { scarcity[$0] < scarcity[$1] }) {
            for (group, edge) in groupEdges[position] where need[position] > 0 {
                let amount = min(need[position], room[Int(group)])
                guard amount > 0 else { continue }
                graph.send(amount, alongEdge: position)
                graph.send(amount, alongEdge: Int(edge))
                graph.send(amount, alongEdge: sinkEdges[Int(group)])
                need[position] -= amount
                room[Int(group)] -= amount
                sent += amount
            }
        }
        if sent + graph.maximumFlow(from: source, to: sink) == demand { return nil }
        let reached = graph.reachedByLastSearch
        var cost: Int64 = 0, voters = 0
        let positions = costs.indices.filter { reached[$0 + 1] }
        for position in positions { cost += costs[position]; voters += alone[position] }
        for index in counts.indices where reached[costs.count + 1 + index] { voters += counts[index] }
        guard voters > 0 else { throw RuleTooLarge(rule: .maximinSupport, runs: .max) }
        return (positions, Load(cost: cost, voters: voters))
    }
}

/// Dinic's maximum flow with 64-bit capacities on a fixed graph, its arcs stored node by node. Every edge is unlimited
/// until its capacity is set; each flow starts again from those capacities. The search runs on unchecked buffers: it
/// is the inner loop of maximin support, and every index in it comes from the arrays built in `init`.
private struct FlowGraph {
    static let unlimited = Int64.max / 4
    /// The arcs of node v are first[v] ..< first[v + 1]; an arc's twin is the arc back, which carries what was sent.
    private let first: [Int]
    private let target: [Int32]
    private let twin: [Int32]
    /// Each edge's arc forward, in the order the edges were given.
    private let forward: [Int32]
    private var initial: [Int64]
    private var capacity: [Int64]
    /// The nodes the last breadth-first search reached: after a maximum flow, the source's side of a minimum cut.
    private(set) var reachedByLastSearch: [Bool] = []

    init(nodes: Int, edges: [(Int32, Int32)]) {
        var first = Array(repeating: 0, count: nodes + 1)
        for (from, to) in edges { first[Int(from) + 1] += 1; first[Int(to) + 1] += 1 }
        for node in 0..<nodes { first[node + 1] += first[node] }
        var next = Array(first.dropLast())
        var target = Array(repeating: Int32(0), count: 2 * edges.count), twin = target, forward = [Int32]()
        var initial = Array(repeating: Int64(0), count: 2 * edges.count)
        forward.reserveCapacity(edges.count)
        for (from, to) in edges {
            let out = next[Int(from)], back = next[Int(to)]
            next[Int(from)] += 1
            next[Int(to)] += 1
            target[out] = to
            target[back] = from
            twin[out] = Int32(back)
            twin[back] = Int32(out)
            initial[out] = Self.unlimited
            forward.append(Int32(out))
        }
        self.first = first
        self.target = target
        self.twin = twin
        self.forward = forward
        self.initial = initial
        capacity = initial
    }

    mutating func setCapacity(ofEdge edge: Int, _ amount: Int64) { initial[Int(forward[edge])] = amount }

    /// Every edge back to its set capacity, nothing sent.
    mutating func reset() { capacity = initial }

    mutating func send(_ amount: Int64, alongEdge edge: Int) {
        let arc = Int(forward[edge])
        capacity[arc] -= amount
        capacity[Int(twin[arc])] += amount
    }

    /// Sends as much more as the network takes, on top of what was sent since `reset`.
    mutating func maximumFlow(from source: Int, to sink: Int) -> Int64 {
        let nodes = first.count - 1
        var level = [Int32](repeating: -1, count: nodes), cursor = [Int](repeating: 0, count: nodes)
        var queue = [Int](repeating: 0, count: nodes)
        var total: Int64 = 0
        first.withUnsafeBufferPointer { first in
            target.withUnsafeBufferPointer { target in
                twin.withUnsafeBufferPointer { twin in
                    capacity.withUnsafeMutableBufferPointer { capacity in
                        level.withUnsafeMutableBufferPointer { level in
                            cursor.withUnsafeMutableBufferPointer { cursor in
                                queue.withUnsafeMutableBufferPointer { queue in
                                    let search = Search(first: first, target: target, twin: twin, capacity: capacity, level: level, cursor: cursor, sink: sink)
                                    while search.levels(from: source, queue: queue) {
                                        for node in 0..<nodes { cursor[node] = first[node] }
                                        total += search.push(source, Self.unlimited)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        reachedByLastSearch = level.map { $0 >= 0 }
        return total
    }

    private struct Search {
        let first: UnsafeBufferPointer<Int>
        let target: UnsafeBufferPointer<Int32>
        let twin: UnsafeBufferPointer<Int32>
        let capacity: UnsafeMutableBufferPointer<Int64>
        let level: UnsafeMutableBufferPointer<Int32>
        let cursor: UnsafeMutableBufferPointer<Int>
        let sink: Int

        /// Each node's distance from the source through arcs with capacity left (-1: unreached); whether the sink is reached.
        func levels(from source: Int, queue: UnsafeMutableBufferPointer<Int>) -> Bool {
            for node in level.indices { level[node] = -1 }
            level[source] = 0
            queue[0] = source
            var head = 0, tail = 1
            while head < tail {
                let node = queue[head]
                head += 1
                let next = level[node] + 1
                for arc in first[node]..<first[node + 1] where capacity[arc] > 0 {
                    let to = Int(target[arc])
                    if level[to] < 0 { level[to] = next; queue[tail] = to; tail += 1 }
                }
            }
            return level[sink] >= 0
        }

        /// Sends up to `limit` from `node` to the sink along arcs one level further each, as much as they take.
        func push(_ node: Int, _ limit: Int64) -> Int64 {
            if node == sink { return limit }
            var sent: Int64 = 0
            let next = level[node] + 1
            while cursor[node] < first[node + 1] {
                let arc = cursor[node], to = Int(target[arc])
                if capacity[arc] > 0 && level[to] == next {
                    let pushed = push(to, min(limit - sent, capacity[arc]))
                    if pushed > 0 {
                        capacity[arc] -= pushed
                        capacity[Int(twin[arc])] += pushed
                        sent += pushed
                        if sent == limit { return sent }
                    }
                }
                cursor[node] += 1
            }
            return sent
        }
    }
}
