import Foundation

/// The line-per-entry lists of the grant forms ("item | source | amount"), read with an error per bad line,
/// so the forms work without JavaScript and keep exactly what was typed.
public enum GrantLines {
    public struct LineError: Error, Equatable, Sendable {
        public let line: Int
        public let catalogKey: String
        public init(line: Int, catalogKey: String) {
            self.line = line
            self.catalogKey = catalogKey
        }
    }

    public struct LineErrors: Error, Equatable, Sendable {
        public let lines: [LineError]
        public init(lines: [LineError]) { self.lines = lines }
    }

    public struct Criterion: Equatable, Sendable {
        public let name: String
        public let weightPercent: Int
        public let maxScore: Int
        public init(name: String, weightPercent: Int, maxScore: Int) {
            self.name = name
            self.weightPercent = weightPercent
            self.maxScore = maxScore
        }
    }

    public struct PlannedTranche: Equatable, Sendable {
        public let plannedOn: Day
        public let amountTyiyn: Int64
        public let condition: String
    }

    public struct Activity: Equatable, Sendable {
        public let what: String
        public let from: String
        public let to: String
    }

    /// `item | source | amount`; the source as `sourceNamed` reads it (by default its code: `grant`, `local_budget`,
    /// `community`, `other`), amounts as written in `language` (`Money.parse(_:as:)`).
    public static func budgetLines(_ text: String, _ language: Language? = nil,
                                   sourceNamed: (String) -> FundingSource? = { FundingSource(rawValue: $0) }) -> Result<[BudgetLine], LineErrors> {
        read(text, columns: 3...3) { line, fields in
            guard !fields[0].isEmpty else { return .failure(LineError(line: line, catalogKey: "grants.lines.item_missing")) }
            guard let source = sourceNamed(fields[1]) else { return .failure(LineError(line: line, catalogKey: "grants.lines.source")) }
            guard let amount = try? Money.parse(fields[2], as: language), amount.minorUnits > 0 else { return .failure(LineError(line: line, catalogKey: "grants.lines.amount")) }
            return .success(BudgetLine(item: fields[0], source: source, amountTyiyn: amount.minorUnits))
        }
    }

    /// `name | weight % | maximum score`.
    public static func criteria(_ text: String) -> Result<[Criterion], LineErrors> {
        read(text, columns: 3...3) { line, fields in
            guard !fields[0].isEmpty, let weight = Int(fields[1]), (1...100).contains(weight), let max = Int(fields[2]), (1...100).contains(max) else {
                return .failure(LineError(line: line, catalogKey: "grants.lines.criterion"))
            }
            return .success(Criterion(name: fields[0], weightPercent: weight, maxScore: max))
        }
    }

    /// `YYYY-MM-DD | amount | condition`.
    public static func tranches(_ text: String, _ language: Language? = nil) -> Result<[PlannedTranche], LineErrors> {
        read(text, columns: 2...3) { line, fields in
            guard let day = Day(fields[0]) else { return .failure(LineError(line: line, catalogKey: "grants.lines.date")) }
            guard let amount = try? Money.parse(fields[1], as: language), amount.minorUnits > 0 else { return .failure(LineError(line: line, catalogKey: "grants.lines.amount")) }
            return .success(PlannedTranche(plannedOn: day, amountTyiyn: amount.minorUnits, condition: fields.count > 2 ? fields[2] : ""))
        }
    }

    /// `what | YYYY-MM | YYYY-MM`.
    public static func activities(_ text: String) -> Result<[Activity], LineErrors> {
        read(text, columns: 3...3) { line, fields in
            guard !fields[0].isEmpty, let from = YearMonth(fields[1]), let to = YearMonth(fields[2]) else {
                return .failure(LineError(line: line, catalogKey: "grants.lines.activity"))
            }
            guard from <= to else { return .failure(LineError(line: line, catalogKey: "grants.lines.activity_backwards")) }
            return .success(Activity(what: fields[0], from: fields[1], to: fields[2]))
        }
    }

    private static func read<T>(_ text: String, columns: ClosedRange<Int>, _ entry: (Int, [String]) -> Result<T, LineError>) -> Result<[T], LineErrors> {
        var values: [T] = []
        var errors: [LineError] = []
        // Browsers send CRLF, which Swift reads as one Character: split on any line break.
        for (index, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !line.isEmpty else { continue }
            let fields = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard columns.contains(fields.count) else { errors.append(LineError(line: index + 1, catalogKey: "grants.lines.columns")); continue }
            switch entry(index + 1, fields) {
            case .success(let value): values.append(value)
            case .failure(let error): errors.append(error)
            }
        }
        return errors.isEmpty ? .success(values) : .failure(LineErrors(lines: errors))
    }
}
