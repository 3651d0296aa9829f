@testable import DemilgeCore
import Foundation
import Testing

@Suite("Comparing rules before a round")
struct RuleComparisonTests {
    /// The demo's two village meetings: greedy gives the larger one everything, equal shares funds the smaller one's gym.
    static func meetings() throws -> BudgetingInstance {
        let first = Array(repeating: "1,2,5", count: 26) + Array(repeating: "1,5", count: 8) + Array(repeating: "2,5", count: 4)
        let second = Array(repeating: "3,4", count: 14) + Array(repeating: "3,4,2", count: 5) + Array(repeating: "3", count: 2)
        return try BudgetingRuleTests.election(budget: "1500000", projects: ["1:620000", "2:180000", "3:450000", "4:240000", "5:700000"],
                                               ballots: first + second)
    }

    @Test("each rule decides as it does alone, with its measures; rules that need points are marked on approval ballots")
    func sameAsEachRuleAlone() throws {
        let instance = try Self.meetings()
        let rules = BallotType.cumulative.rules
        let comparison = RuleComparison(instance, rules: rules, maximumAddOneRuns: RoundResult.maximumAddOneRuns)
        #expect(comparison.entries.map(\.rule) == rules)
        var decided: [BudgetingRule: [Int]] = [:]
        for entry in comparison.entries {
            switch entry.verdict {
            case let .decided(outcome, measures):
                #expect(!entry.rule.needsPoints)
                #expect(outcome == entry.rule.outcome(instance), "\(entry.rule)")
                #expect(measures == OutcomeMeasures(instance, outcome))
                decided[entry.rule] = outcome.selected
            case .notForTheseBallots: #expect(entry.rule.needsPoints, "\(entry.rule)")
            case .tooLarge: Issue.record("\(entry.rule) is within its bound")
            }
        }
        #expect(decided.count == BallotType.approval.rules.count)
        #expect(decided[.greedyCostSat] != decided[.mesCostSatAddOneGreedy], "the comparison shows that the rules disagree here")
    }

    @Test("on cumulative ballots the points rules decide too")
    func pointsRules() throws {
        let instance = try BudgetingRuleTests.election(budget: "100", projects: ["a:60", "b:50", "c:40"],
                                                       ballots: ["a:3,b:2", "b:5", "c:4,a:1", "c:5"], cumulative: true)
        let comparison = RuleComparison(instance, rules: BallotType.cumulative.rules, maximumAddOneRuns: 100)
        for entry in comparison.entries {
            guard case .decided(let outcome, _) = entry.verdict else { Issue.record("\(entry.rule) decides cumulative ballots"); continue }
            #expect(outcome == entry.rule.outcome(instance), "\(entry.rule)")
        }
    }

    @Test("add-one beyond its bound is reported as too large for both of its forms; the other rules still decide")
    func addOneTooLarge() throws {
        let instance = try WorkBoundTests.staircase()
        let comparison = RuleComparison(instance, rules: BallotType.approval.rules, maximumAddOneRuns: 50)
        for entry in comparison.entries {
            switch entry.verdict {
            case .tooLarge(let error): #expect([.mesCostSatAddOne, .mesCostSatAddOneGreedy].contains(entry.rule) && error.runs == 50)
            case .decided(let outcome, _): #expect(outcome == entry.rule.outcome(instance), "\(entry.rule)")
            case .notForTheseBallots: Issue.record("\(entry.rule) fits approval ballots")
            }
        }
        #expect(comparison.entries.filter { if case .tooLarge = $0.verdict { true } else { false } }.count == 2)
    }
}
