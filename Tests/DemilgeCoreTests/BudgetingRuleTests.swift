@testable import DemilgeCore
import Foundation
import Testing

/// Hand-made elections for each trap listed in ../shared/pabulib/README.md.
@Suite("Budgeting rules on hand-made cases")
struct BudgetingRuleTests {
    /// projects: "id:cost"; ballots: comma-separated ids ("" = empty ballot), or "id:points,…" when cumulative.
    static func election(budget: String, projects: [String], ballots: [String], cumulative: Bool = false) throws -> BudgetingInstance {
        var lines = ["META", "key;value", "budget;\(budget)", "vote_type;\(cumulative ? "cumulative" : "approval")", "PROJECTS", "project_id;cost"]
        lines += projects.map { $0.replacingOccurrences(of: ":", with: ";") }
        lines += ["VOTES", cumulative ? "voter_id;vote;points" : "voter_id;vote"]
        for (voter, ballot) in ballots.enumerated() {
            if cumulative {
                let pairs = ballot.split(separator: ",").map { $0.split(separator: ":") }
                lines.append("\(voter);\(pairs.map { String($0[0]) }.joined(separator: ","));\(pairs.map { String($0[1]) }.joined(separator: ","))")
            } else {
                lines.append("\(voter);\(ballot)")
            }
        }
        return try PabulibReader.parse(lines.joined(separator: "\n"))
    }

    static func winners(_ rule: BudgetingRule, _ instance: BudgetingInstance) -> [String] {
        rule.outcome(instance).selected.map { instance.projects[$0].id }
    }

    @Test("greedy by approvals also funds a project nobody voted for if it still fits")
    func greedyFundsUnvoted() throws {
        let e = try Self.election(budget: "100", projects: ["A:50", "B:60", "C:40"], ballots: ["A,B", "A", "B"])
        #expect(Self.winners(.greedyCostSat, e) == ["A", "C"])
    }

    @Test("greedy with Cardinality_Sat ranks by approvals per unit of cost, not by approvals")
    func cardinalityIsPerCost() throws {
        let e = try Self.election(budget: "100", projects: ["A:100", "B:10"], ballots: ["A", "A", "A,B"])
        #expect(Self.winners(.greedyCostSat, e) == ["A"])
        #expect(Self.winners(.greedyCardinalitySat, e) == ["B"])
    }

    @Test("ties go to the smaller id compared as Unicode scalars: \"10\" before \"9\"")
    func lexicographicTies() throws {
        let e = try Self.election(budget: "100", projects: ["9:100", "10:100"], ballots: ["9,10", "9,10"])
        #expect(Self.winners(.greedyCostSat, e) == ["10"])
        #expect(Self.winners(.mesCostSat, e) == ["10"])
        #expect(Self.winners(.mesCardinalitySat, e) == ["10"])
    }

    @Test("MES: empty ballots count when the budget is shared out")
    func emptyBallotsShareBudget() throws {
        let withEmpty = try Self.election(budget: "100", projects: ["X:60"], ballots: ["X", "X", "", ""])
        let without = try Self.election(budget: "100", projects: ["X:60"], ballots: ["X", "X"])
        #expect(Self.winners(.mesCostSat, withEmpty).isEmpty, "2 supporters × 25 cannot pay 60")
        #expect(Self.winners(.mesCostSat, without) == ["X"])
    }

    @Test("MES: a supported free project comes first with approval utilities, never with cost utilities (worth 0)")
    func zeroCostProjects() throws {
        let e = try Self.election(budget: "100", projects: ["A:50", "F:0", "G:0"], ballots: ["A,F", "A"])
        #expect(Self.winners(.mesCardinalitySat, e) == ["F", "A"])
        #expect(Self.winners(.mesCostSat, e) == ["A"], "a free project's cost utility is 0: it has no supporter")
        #expect(Self.winners(.mesCostSatGreedy, e) == ["A", "F", "G"], "the greedy completion takes both free projects")
        // Greedy: with Cost_Sat a free project brings 0 satisfaction (score 0, id order); with Cardinality_Sat ∞.
        #expect(Self.winners(.greedyCostSat, e) == ["A", "F", "G"])
        #expect(Self.winners(.greedyCardinalitySat, e) == ["F", "A", "G"])
    }

    @Test("MES: a voter who cannot pay an equal share pays all they have, and the others cover the rest")
    func cappedSupporters() throws {
        // 4 voters × 30. B (cost 60, 3 supporters, ρ = 1/3) is bought before A (2 supporters, ρ = 1/2),
        // leaving voter 2 with 10 and voter 3 with 30 for A.
        func outcome(_ costOfA: Int) throws -> [String] {
            let e = try Self.election(budget: "120", projects: ["B:60", "A:\(costOfA)"], ballots: ["B", "B", "B,A", "A"])
            return Self.winners(.mesCostSat, e)
        }
        #expect(try outcome(39) == ["B", "A"], "voter 2 pays its 10, voter 3 pays 29")
        #expect(try outcome(40) == ["B", "A"], "exactly all they have left")
        #expect(try outcome(41) == ["B"], "one more than they have")
    }

    @Test("the explanation of an outcome: who paid what, and where a loser's supporters' money went")
    func explanations() throws {
        func election(_ costOfA: Int) throws -> BudgetingInstance {
            try Self.election(budget: "120", projects: ["B:60", "A:\(costOfA)"], ballots: ["B", "B", "B,A", "A"])
        }
        let funded = OutcomeAccount.explain(try election(39), rule: .mesCostSat)
        #expect(funded.verdicts[0] == .fundedByEqualShares(supporters: 3, fullPayers: 0, share: Rational(20)))
        #expect(funded.verdicts[1] == .fundedByEqualShares(supporters: 2, fullPayers: 1, share: Rational(29)), "voter 2 gives its last 10")
        #expect(funded.payments[2].map(\.amount) == [Rational(20), Rational(10)] && funded.payments[3].map(\.amount) == [Rational(29)])
        let lost = OutcomeAccount.explain(try election(41), rule: .mesCostSat)
        #expect(lost.verdicts[1] == .notFundedByEqualShares(left: Rational(40), cost: Rational(41), spent: Rational(20), mostOn: 0))
        let greedy = OutcomeAccount.explain(try election(61), rule: .greedyCostSat)
        #expect(greedy.verdicts == [.fundedInTurn(left: Rational(120)), .notFundedInTurn(left: Rational(60))])
        #expect(Money(som: Rational(2, 3)).minorUnits == 67 && Money(exactSom: Rational(1, 3)) == nil && Money(exactSom: Rational(201, 2))?.minorUnits == 10_050)
    }

    @Test("cumulative ballots are approvals for Cost_Sat, points for the points rules")
    func cumulativeBallots() throws {
        let e = try Self.election(budget: "100", projects: ["A:100", "B:100"], ballots: ["A:1,B:9", "A:1", "A:1"], cumulative: true)
        #expect(Self.winners(.greedyCostSat, e) == ["A"], "3 ballots name A, 1 names B")
        #expect(Self.winners(.greedyPoints, e) == ["B"], "B has 9 points, A 3")
        #expect(!BudgetingRule.greedyPoints.applies(to: .approval))
        #expect(Set(BudgetingRule.applicable(to: .cumulative)) == Set(BudgetingRule.allCases).subtracting([.seqPhragmen, .maximinSupport]))
        #expect(BudgetingRule.applicable(to: .approval).contains(.seqPhragmen) && !BudgetingRule.seqPhragmen.applies(to: .ordinal))
    }

    @Test("maximum welfare by approvals: among optimal sets the cheapest, then the one taking projects in id order")
    func maximumWelfareTies() throws {
        let equal = try Self.election(budget: "100", projects: ["A:50", "B:50", "C:100"], ballots: ["A,B,C", "A,B,C", "C", "C"])
        #expect(Self.winners(.maxWelfareCardinalitySat, equal) == ["A", "B"], "{A, B} and {C} both have 4 approvals for 100")
        let cheaper = try Self.election(budget: "100", projects: ["A:60", "B:40", "C:50"], ballots: ["A,B,C", "A,B,C"])
        #expect(Self.winners(.maxWelfareCardinalitySat, cheaper) == ["B", "C"], "4 approvals: {B, C} costs 90, {A, B} 100")
        // Costs finer than 64-bit integers over a common denominator: refused, not approximated.
        let fine = try Self.election(budget: "3", projects: ["A:1.00000000000000001", "B:1"], ballots: ["A", "B"])
        #expect(throws: RuleTooLarge.self) { try BudgetingRule.maxWelfareCardinalitySat.boundedOutcome(fine, maximumAddOneRuns: 1) }
    }

    @Test("maximin support: the least maximum load first, exactly; ties to the smaller id; a project nobody supports last")
    func maximinSupport() throws {
        // Alone: A 60/2 = 30, B 30/2 = 15, C 40/1 = 40 → B. Then A with B: max(30, 90/3) = 30; C with B: max(40, 70/2) = 40
        // → A. Then C: 130/3 over all three. D has no supporter: +∞, bought last while it fits.
        let election = try Self.election(budget: "140", projects: ["A:60", "B:30", "C:40", "D:10"], ballots: ["A", "A,B", "B,C"])
        #expect(Self.winners(.maximinSupport, election) == ["B", "A", "C", "D"])
        let tie = try Self.election(budget: "20", projects: ["y:10", "x:10"], ballots: ["x", "y"])
        #expect(Self.winners(.maximinSupport, tie) == ["x", "y"], "both would load their one supporter with 10")
        #expect(!BudgetingRule.maximinSupport.applies(to: .cumulative))
    }

    @Test("maximin support equals its definition — the largest cost(S) / supporters(S) over every set S — on random elections")
    func maximinSupportAgainstDefinition() throws {
        var generator = SeedRandom(seed: 17)
        for _ in 0..<400 {
            let count = Int.random(in: 1...8, using: &generator)
            let costs = (0..<count).map { _ in Int.random(in: 0...30, using: &generator) }
            let ballots = (0..<Int.random(in: 1...9, using: &generator)).map { _ in
                (0..<count).filter { _ in Int.random(in: 0..<3, using: &generator) == 0 }.map { "p\($0)" }.joined(separator: ",")
            }
            let budget = Int.random(in: 0...120, using: &generator)
            let instance = try Self.election(budget: String(budget), projects: costs.enumerated().map { "p\($0.offset):\($0.element)" }, ballots: ballots)
            var rank = Array(repeating: 0, count: count)
            for (position, project) in instance.lexicographicOrder.enumerated() { rank[project] = position }
            // The least maximum load of a set of projects: nil when a set with a cost has no supporter (+∞).
            func load(_ projects: [Int]) -> Rational? {
                var most = Rational.zero
                for subset in 1..<(1 << projects.count) {
                    let members = projects.indices.filter { subset & (1 << $0) != 0 }.map { projects[$0] }
                    let cost = members.reduce(0) { $0 + costs[$1] }
                    let voters = instance.ballots.filter { ballot in members.contains { ballot.projects.contains($0) } }.count
                    if cost == 0 { continue }
                    guard voters > 0 else { return nil }
                    most = max(most, Rational(cost) / Rational(voters))
                }
                return most
            }
            var chosen: [Int] = [], left = budget
            while true {
                let affordable = (0..<count).filter { !chosen.contains($0) && costs[$0] <= left }
                let loads = affordable.map { (project: $0, load: load(chosen + [$0])) }
                guard let next = loads.min(by: { a, b in
                    switch (a.load, b.load) {
                    case let (x?, y?): return (x, rank[a.project]) < (y, rank[b.project])
                    case (nil, nil): return rank[a.project] < rank[b.project]
                    case (_?, nil): return true
                    case (nil, _?): return false
                    }
                }) else { break }
                chosen.append(next.project)
                left -= costs[next.project]
            }
            #expect(BudgetingRule.maximinSupport.outcome(instance).selected == chosen, "\(costs) \(ballots) budget \(budget)")
        }
    }

    @Test("add-one skipping units gives what running every unit gives — winners, MES runs counted, final per-voter budget — on random elections")
    func addOneSkippingAgainstEveryUnit() throws {
        var generator = SeedRandom(seed: 29)
        var units = 0, work: [Bool: Int] = [:]
        for _ in 0..<150 {
            // Costs far above what a voter holds, so add-one climbs hundreds of units and the order of purchases
            // changes on the way; a few popular projects make close ρ that fall together.
            let count = Int.random(in: 3...10, using: &generator)
            let costs = (0..<count).map { _ in Int.random(in: 50...3_000, using: &generator) }
            let popular = (0..<count).map { _ in Int.random(in: 1...4, using: &generator) }
            let ballots = (0..<Int.random(in: 5...40, using: &generator)).map { _ in
                (0..<count).filter { Int.random(in: 0..<6, using: &generator) < popular[$0] }.map { "p\($0)" }.joined(separator: ",")
            }
            let budget = Int.random(in: 100...6_000, using: &generator)
            let instance = try Self.election(budget: String(budget), projects: costs.enumerated().map { "p\($0.offset):\($0.element)" }, ballots: ballots)
            let everyUnit = BudgetingRules.equalSharesAddOne(instance, .cost, stepByStep: true)
            units += everyUnit.iterations
            // Certificates by classes of supporters (as served) and voter by voter (weighted ballots, long runs).
            for byClasses in [true, false] {
                let skipping = BudgetingRules.equalSharesAddOne(instance, .cost, stepByStep: false, byClasses: byClasses)
                let context = "\(costs) \(ballots) budget \(budget), by classes: \(byClasses)"
                #expect(skipping.outcome.selected == everyUnit.outcome.selected, "\(context)")
                #expect(skipping.iterations == everyUnit.iterations, "\(context)")
                #expect(skipping.perVoterBudget == everyUnit.perVoterBudget, "\(context)")
                work[byClasses, default: 0] += skipping.work
            }
        }
        #expect(units > 10_000 && work.values.allSatisfy { $0 * 4 < units },
                "the elections climb far enough for most units to be skipped: \(work) runs for \(units) units")
    }

    @Test("maximum welfare by cost: Σ cost × approvals at its most within the budget, the cheapest of equal optima; as brute force on random elections")
    func maximumWelfareByCost() throws {
        // Welfare A 120, B 80, C 150, D 50: {B, C} (230 for 90) beats {A, B} and {C, D} (200 for 100).
        let four = try Self.election(budget: "100", projects: ["A:60", "B:40", "C:50", "D:50"], ballots: ["A,B,C", "A,B,C,D", "C"])
        #expect(Self.winners(.maxWelfareCostSat, four) == ["C", "B"])
        let tie = try Self.election(budget: "50", projects: ["P:40", "Q:50"], ballots: ["P,Q", "P,Q", "P,Q", "P,Q", "P"])
        #expect(Self.winners(.maxWelfareCostSat, tie) == ["P"], "both give 200; P costs 40")
        var generator = SeedRandom(seed: 16)
        for _ in 0..<300 {
            let count = Int.random(in: 1...9, using: &generator)
            let costs = (0..<count).map { _ in Int.random(in: 0...30, using: &generator) }
            let ballots = (0..<Int.random(in: 1...8, using: &generator)).map { _ in
                (0..<count).filter { _ in Bool.random(using: &generator) }.map { "p\($0)" }.joined(separator: ",")
            }
            let budget = Int.random(in: 0...60, using: &generator)
            let instance = try Self.election(budget: String(budget), projects: costs.enumerated().map { "p\($0.offset):\($0.element)" }, ballots: ballots)
            var approvals = Array(repeating: 0, count: count)
            for ballot in instance.ballots { for project in ballot.projects { approvals[project] += 1 } }
            var best = (welfare: -1, cost: 0)
            for subset in 0..<(1 << count) {
                let members = (0..<count).filter { subset & (1 << $0) != 0 }
                let cost = members.reduce(0) { $0 + costs[$1] }, welfare = members.reduce(0) { $0 + costs[$1] * approvals[$1] }
                if cost <= budget && (welfare > best.welfare || (welfare == best.welfare && cost < best.cost)) { best = (welfare, cost) }
            }
            let outcome = BudgetingRule.maxWelfareCostSat.outcome(instance)
            let welfare = outcome.selected.reduce(0) { $0 + costs[$1] * approvals[$1] }
            #expect(welfare == best.welfare && outcome.cost == Rational(best.cost), "\(costs) \(ballots) budget \(budget)")
        }
    }

    @Test("add-one: one unit more per voter per run; an over-budget run returns the previous outcome")
    func addOneReturnsPrevious() throws {
        // 2 voters × 50 cannot buy a 60 project each. At 60 per voter both are bought (120 > 100),
        // so the run at 59 (nothing bought) is returned after 11 runs.
        let e = try Self.election(budget: "100", projects: ["A:60", "B:60"], ballots: ["A", "B"])
        let report = BudgetingRules.equalSharesAddOne(e, .cost)
        #expect(report.outcome.selected.isEmpty)
        #expect(report.iterations == 11)
        #expect(report.perVoterBudget == Rational(59))
        #expect(Self.winners(.mesCostSatAddOneGreedy, e) == ["A"], "greedy completes it by approvals then id")
    }

    @Test("add-one stops at the first exhaustive outcome")
    func addOneStopsWhenExhaustive() throws {
        // 2 voters × 50 buy A (30 each); voter 0 needs 30 more for B, i.e. a per-voter budget of 60.
        let e = try Self.election(budget: "100", projects: ["A:60", "B:30"], ballots: ["A,B", "A"])
        #expect(Self.winners(.mesCostSat, e) == ["A"])
        let report = BudgetingRules.equalSharesAddOne(e, .cost)
        #expect(report.outcome.selected.map { e.projects[$0].id } == ["A", "B"])
        #expect(report.iterations == 11)
        #expect(report.perVoterBudget == Rational(60))
    }

    @Test("the exact pass alone gives the fast pass's outcome on instances full of ties", arguments: [
        "Worldwide_Mechanical_Turk_Ranking_value_money_3", "Poland_Warszawa_2019_Las", "Worldwide_Mechanical_Turk_Knapsack_7",
        "Switzerland_Zurich_S5R", "Netherlands_Assen_2024",
    ])
    func exactAgreesWithFast(_ name: String) throws {
        let (instance, _) = try PabulibTruthTests.load(name)
        for satisfaction in [Satisfaction.cost, .cardinality] {
            let run = EqualSharesRun(instance, satisfaction)
            let start = instance.budget / Rational(instance.ballots.count)
            for extra in [0, 3, 40] {
                let budget = start + Rational(extra)
                #expect(run.exactOnly(perVoterBudget: budget) == run.run(perVoterBudget: budget), "\(name) \(satisfaction) +\(extra)")
            }
        }
    }
}

