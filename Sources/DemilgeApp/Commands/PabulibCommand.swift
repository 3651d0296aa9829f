import DemilgeCore
import Foundation

/// `demilge pb outcome FILE.pb [--rule RULE_ID]…`: the budgeting rules on a pabulib file, as JSON on
/// standard output. Runs before the web application starts: it needs no database.
public enum PabulibCommand {
    public static let usage = "usage: demilge pb outcome FILE.pb [--rule RULE_ID]…\nrules: " + BudgetingRule.allCases.map(\.rawValue).joined(separator: ", ")

    /// Returns the exit status, or nil when the arguments are not a `pb` command.
    public static func runIfRequested(_ arguments: [String]) -> Int32? {
        guard arguments.count >= 2, arguments[1] == "pb" else { return nil }
        switch parse(Array(arguments.dropFirst(2))) {
        case let .failure(error):
            FileHandle.standardError.write(Data("demilge pb: \(error.message)\n\(usage)\n".utf8))
            return 1
        case let .success((path, rules)):
            do {
                let text = try String(contentsOfFile: path, encoding: .utf8)
                let instance = try PabulibReader.parse(text)
                print(PabulibOutcomeReport.compute(instance, rules: rules).json())
                return 0
            } catch let error as PabulibReader.ParseError {
                FileHandle.standardError.write(Data("demilge pb: \(path): \(error)\n".utf8))
            } catch {
                FileHandle.standardError.write(Data("demilge pb: cannot read \(path): \(error.localizedDescription)\n".utf8))
            }
            return 1
        }
    }

    struct UsageError: Error {
        let message: String
        init(_ message: String) { self.message = message }
    }

    static func parse(_ arguments: [String]) -> Result<(String, [BudgetingRule]), UsageError> {
        guard arguments.first == "outcome" else { return .failure(UsageError("unknown subcommand \(arguments.first ?? "(none)")")) }
        var path: String? = nil
        var rules: [BudgetingRule] = []
        var rest = arguments.dropFirst()[...]
        while let argument = rest.popFirst() {
            if argument == "--rule" || argument.hasPrefix("--rule=") {
                let value = argument == "--rule" ? rest.popFirst() : String(argument.dropFirst("--rule=".count))
                guard let value, let rule = BudgetingRule(rawValue: value) else { return .failure(UsageError("unknown rule \(value ?? "(none)")")) }
                rules.append(rule)
            } else if path == nil, !argument.hasPrefix("--") {
                path = argument
            } else {
                return .failure(UsageError("unexpected argument \(argument)"))
            }
        }
        guard let path else { return .failure(UsageError("no .pb file given")) }
        return .success((path, rules))
    }
}
