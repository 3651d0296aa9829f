import DemilgeCore
import Foundation

// demilge-bench FILE.pb… [--rule RULE_ID]…: times every applicable rule on each file with the
// same code as `demilge pb outcome`, printing one JSON line per file. Each time is the median of
// up to 5 runs (as many as fit in about a second).
var files: [String] = []
var rules: [BudgetingRule] = []
var arguments = CommandLine.arguments.dropFirst()[...]
while let argument = arguments.popFirst() {
    if argument == "--rule", let value = arguments.popFirst(), let rule = BudgetingRule(rawValue: value) { rules.append(rule) }
    else { files.append(argument) }
}

struct Line: Encodable {
    let instance: String
    let rules: [String: PabulibOutcomeReport.Entry]
}

let encoder = JSONEncoder()
encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
for file in files {
    guard let text = try? String(contentsOfFile: file, encoding: .utf8), let instance = try? PabulibReader.parse(text) else {
        FileHandle.standardError.write(Data("cannot read \(file)\n".utf8))
        exit(1)
    }
    var entries: [String: PabulibOutcomeReport.Entry] = [:]
    for rule in rules.isEmpty ? BudgetingRule.applicable(to: instance.voteType) : rules {
        var times: [Double] = []
        var winners: [String] = []
        while times.count < 5 && (times.isEmpty || times.reduce(0, +) < 1) {
            let entry = PabulibOutcomeReport.compute(instance, rules: [rule]).rules[rule.rawValue]!
            times.append(entry.time_s)
            winners = entry.winners
        }
        entries[rule.rawValue] = .init(winners: winners, time_s: times.sorted()[times.count / 2])
    }
    let name = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
    FileHandle.standardOutput.write(try encoder.encode(Line(instance: name, rules: entries)) + Data("\n".utf8))
}
