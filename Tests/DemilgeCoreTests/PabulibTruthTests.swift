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

    static func load(_ name: String) throws -> (BudgetingInstance, [String: [String]]) {
        let text = try String(contentsOf: folder.appendingPathComponent("instances/\(name).pb"), encoding: .utf8)
        let instance = try PabulibReader.parse(text)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("truth/\(name).json"))) as! [String: Any]
        var winners: [String: [String]] = [:]
        for (rule, value) in json["rules"] as! [String: Any] {
            let entry = value as! [String: Any]
            if entry["status"] as? String == "ok", let list = entry["winners"] as? [String] { winners[rule] = list }
        }
        return (instance, winners)
    }

    static func ids(_ outcome: BudgetingOutcome, _ instance: BudgetingInstance) -> [String] {
        outcome.selected.map { instance.projects[$0].id }
    }

    @Test("the truth files are all here")
    func present() {
        #expect(Self.instanceNames.count == 49)
    }

    @Test("greedy rules pick exactly pabutools' winners, in the same order", arguments: instanceNames)
    func greedyRules(_ name: String) throws {
        let (instance, truth) = try Self.load(name)
        var checked = 0
        func check(_ rule: String, _ outcome: @autoclosure () -> BudgetingOutcome) {
            guard let expected = truth[rule] else { return }
            #expect(Self.ids(outcome(), instance) == expected, "\(name) \(rule)")
            checked += 1
        }
        check("greedy_cost_sat", BudgetingRules.greedy(instance, .cost))
        check("greedy_cardinality_sat", BudgetingRules.greedy(instance, .cardinality))
        check("greedy_points", BudgetingRules.greedy(instance, .pointsTimesCost))
        check("greedy_additive_cardinal_sat", BudgetingRules.greedy(instance, .points))
        #expect(checked >= 2, "\(name): too few rules compared")
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
