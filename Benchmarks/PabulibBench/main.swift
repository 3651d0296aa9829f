import DemilgeCore
import Foundation

// demilge-bench FILE.pb… [--rule RULE_ID]…: times every applicable rule on each file with the
// same code as `demilge pb outcome`, printing one JSON line per file. Each time is the median of
// up to 5 runs (as many as fit in about a second).
// demilge-bench --add-one-steps FILE.pb…: add-one as computed (steps skipped) against the step-by-step
// definition (every unit run): winners, MES runs counted, final per-voter budget and both times.
var files: [String] = []
var rules: [BudgetingRule] = []
var addOneSteps = false
var arguments = CommandLine.arguments.dropFirst()[...]
while let argument = arguments.popFirst() {
    if argument == "--rule", let value = arguments.popFirst(), let rule = BudgetingRule(rawValue: value) { rules.append(rule) }
    else if argument == "--add-one-steps" { addOneSteps = true }
    else { files.append(argument) }
}

struct Line: Encodable {
    let instance: String
    let rules: [String: PabulibOutcomeReport.Entry]
}

struct AddOneLine: Encodable {
    struct Side: Encodable {
        let winners: [String]
        let iterations: Int
        let per_voter_budget: String
        let work: Int
        let time_s: Double
    }
    let instance: String
    let skipping: Side
    let step_by_step: Side
    let identical: Bool
}

let encoder = JSONEncoder()
encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
for file in files {
    guard let text = try? String(contentsOfFile: file, encoding: .utf8), let instance = try? PabulibReader.parse(text) else {
        FileHandle.standardError.write(Data("cannot read \(file)\n".utf8))
        exit(1)
    }
    let name = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
    if addOneSteps {
        func side(stepByStep: Bool) -> AddOneLine.Side {
            var report: AddOneReport? = nil
            let elapsed = ContinuousClock().measure { report = BudgetingRules.equalSharesAddOne(instance, .cost, stepByStep: stepByStep) }
            guard let report else { fatalError("add-one did not run") }
            return .init(winners: report.outcome.selected.map { instance.projects[$0].id }, iterations: report.iterations,
                         per_voter_budget: report.perVoterBudget.description, work: report.work, time_s: elapsed.seconds)
        }
        let skipping = side(stepByStep: false), steps = side(stepByStep: true)
        let identical = skipping.winners == steps.winners && skipping.iterations == steps.iterations
            && skipping.per_voter_budget == steps.per_voter_budget
        FileHandle.standardOutput.write(try encoder.encode(AddOneLine(instance: name, skipping: skipping, step_by_step: steps, identical: identical)) + Data("\n".utf8))
        continue
    }
    var entries: [String: PabulibOutcomeReport.Entry] = [:]
    for rule in rules.isEmpty ? BudgetingRule.applicable(to: instance.voteType) : rules.filter({ $0.applies(to: instance.voteType) }) {
        var times: [Double] = []
        var winners: [String] = []
        while times.count < 5 && (times.isEmpty || times.reduce(0, +) < 1) {
            let entry = PabulibOutcomeReport.compute(instance, rules: [rule]).rules[rule.rawValue]!
            times.append(entry.time_s)
            winners = entry.winners
        }
        entries[rule.rawValue] = .init(winners: winners, time_s: times.sorted()[times.count / 2])
    }
    FileHandle.standardOutput.write(try encoder.encode(Line(instance: name, rules: entries)) + Data("\n".utf8))
}
