import DemilgeCore
import Foundation
import Testing

/// Every rule on every instance in ../shared/pabulib/ against pabutools 1.2.3's recorded outcome.
@Suite("Budgeting rules against pabutools")
struct PabulibTruthTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/pabulib")

    static var instanceNames: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("truth").path)) ?? [])
            .filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }

    struct Truth {
        var winners: [String: [String]] = [:]
        var addOneIterations: Int?
        var addOneBudget: String?
    }

    static func load(_ name: String) throws -> (BudgetingInstance, Truth) {
        let text = try String(contentsOf: folder.appendingPathComponent("instances/\(name).pb"), encoding: .utf8)
        let instance = try PabulibReader.parse(text)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("truth/\(name).json"))) as! [String: Any]
        var truth = Truth()
        for (rule, value) in json["rules"] as! [String: Any] {
            let entry = value as! [String: Any]
            if entry["status"] as? String == "ok", let list = entry["winners"] as? [String] { truth.winners[rule] = list }
            if let addOne = entry["add1"] as? [String: Any] {
                truth.addOneIterations = addOne["iterations"] as? Int
                truth.addOneBudget = addOne["final_per_voter_budget"] as? String
            }
        }
        return (instance, truth)
    }

    static func ids(_ outcome: BudgetingOutcome, _ instance: BudgetingInstance) -> [String] {
        outcome.selected.map { instance.projects[$0].id }
    }

    @Test("the truth files are all here")
    func present() {
        #expect(Self.instanceNames.count == 49)
    }

    @Test("every rule picks exactly pabutools' winners, in the same order", arguments: instanceNames)
    func everyRule(_ name: String) throws {
        let (instance, truth) = try Self.load(name)
        var checked = 0
        for rule in BudgetingRule.allCases {
            guard let expected = truth.winners[rule.rawValue] else { continue }
            #expect(rule.applies(to: instance.voteType), "\(name): \(rule) has truth but is not applied")
            #expect(Self.ids(rule.outcome(instance), instance) == expected, "\(name) \(rule.rawValue)")
            checked += 1
        }
        #expect(checked >= 5, "\(name): too few rules compared")
    }

    @Test("add-one stops after as many MES runs as pabutools, at the same per-voter budget", arguments: instanceNames)
    func addOneTrace(_ name: String) throws {
        let (instance, truth) = try Self.load(name)
        guard let iterations = truth.addOneIterations, let budget = truth.addOneBudget else { return }
        let report = BudgetingRules.equalSharesAddOne(instance, .cost)
        #expect(report.iterations == iterations, "\(name)")
        #expect(report.perVoterBudget.description == budget, "\(name)")
    }
}

@Suite("Pabulib reader")
struct PabulibReaderTests {
    @Test("ids with slashes and non-ASCII letters, decimal budgets, cumulative points")
    func reads() throws {
        let text = """
        META
        key;value
        description;Тест
        vote_type;cumulative
        budget;2372571.24
        PROJECTS
        project_id;cost;name
        BO.D8.10/23;1000,5;"Парк; скамейки"
        Ўзбек;200;x
        VOTES
        voter_id;vote;points
        1;BO.D8.10/23,Ўзбек;3,2
        2;;
        """
        let instance = try PabulibReader.parse(text)
        #expect(instance.budget == Rational(237_257_124, 100))
        #expect(instance.projects.map(\.id) == ["BO.D8.10/23", "Ўзбек"])
        #expect(instance.projects[0].cost == Rational(2001, 2))
        #expect(instance.ballots.count == 2 && instance.ballots[1].projects.isEmpty, "empty ballots count")
        #expect(instance.ballots[0].points == [3, 2])
        #expect("10".precedesByScalars("2") && "BO.D8.10/23".precedesByScalars("BO.D8.3/23"))
    }

    @Test("malformed files are rejected with the line at fault")
    func rejects() {
        let base = "META\nkey;value\nbudget;100\nPROJECTS\nproject_id;cost\n1;50\nVOTES\nvoter_id;vote\n"
        #expect(throws: PabulibReader.ParseError(line: 9, reason: "vote names unknown project 7")) { try PabulibReader.parse(base + "1;1,7") }
        #expect(throws: PabulibReader.ParseError(line: 6, reason: "cost is not a number: abc")) {
            try PabulibReader.parse("META\nkey;value\nbudget;100\nPROJECTS\nproject_id;cost\n1;abc")
        }
        #expect(throws: PabulibReader.ParseError(line: 1, reason: "META has no budget")) { try PabulibReader.parse("META\nkey;value\nx;1") }
        #expect(throws: PabulibReader.ParseError(line: 1, reason: "text before the META section")) { try PabulibReader.parse("hello") }
    }
}
