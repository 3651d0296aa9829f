import Foundation

/// A municipality's resident roll as its staff upload it: CSV with a header naming the columns `pin` and `settlement`
/// (a settlement's code) and optionally `name`, `birth_date` (`1987-04-23` or `23.04.1987`) and `sex` (`f`/`m`,
/// also `female`/`male`, `аял`/`эркек`, `ж`/`э`). The whole file is checked before anything is stored: every problem
/// comes back with its line, and one problem refuses the file.
public enum ResidentRoll {
    public static let maximumEntries = 300_000

    public struct Entry: Sendable {
        public let line: Int
        public let pin: PersonalNumber
        public let settlementCode: String
        public let name: String
        public let birthDate: BirthDate?
        public let sex: Sex?
    }

    public enum Problem: Equatable, Sendable {
        case unreadable(CSV.ParseError.Reason)
        case missingColumn(String)
        case empty
        case tooManyEntries(Int)
        case pin(PersonalNumber.Problem)
        /// The same ПИН on an earlier line.
        case duplicate(firstLine: Int)
        case unknownSettlement(String)
        case birthDate(String)
        case sex(String)
        /// The ПИН does not carry birth date and sex, and the line does not give both.
        case needsBirthDateAndSex
        /// The line's birth date or sex differs from what the ПИН carries.
        case disagreesWithPin

        public var catalogKey: String {
            switch self {
            case .unreadable: "roll.unreadable"
            case .missingColumn: "roll.missing_column"
            case .empty: "roll.empty"
            case .tooManyEntries: "roll.too_many"
            case .pin(let problem): problem.catalogKey
            case .duplicate: "roll.duplicate"
            case .unknownSettlement: "roll.unknown_settlement"
            case .birthDate: "roll.birth_date"
            case .sex: "roll.sex"
            case .needsBirthDateAndSex: "roll.needs_birth_date"
            case .disagreesWithPin: "roll.disagrees"
            }
        }
    }

    public struct LineProblem: Equatable, Sendable {
        public let line: Int
        public let problem: Problem

        public init(line: Int, problem: Problem) {
            self.line = line
            self.problem = problem
        }
    }

    /// Why a roll was refused: every problem found, in line order.
    public struct Refusal: Error, Equatable, Sendable {
        public let problems: [LineProblem]
    }

    /// The entries, or every problem found (line 0 for the file as a whole). `settlements` are the codes of the
    /// settlements this roll may name.
    public static func read(_ text: String, settlements: Set<String>, today: Day) -> Result<[Entry], Refusal> {
        let rows: [(line: Int, fields: [String])]
        do { rows = try CSV.parse(text) } catch { return .failure(Refusal(problems: [LineProblem(line: error.line, problem: .unreadable(error.reason))])) }
        guard let header = rows.first else { return .failure(Refusal(problems: [LineProblem(line: 0, problem: .empty)])) }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "\u{FEFF}", with: "") }
        func column(_ name: String) -> Int? { names.firstIndex(of: name) }
        var problems: [LineProblem] = []
        for required in ["pin", "settlement"] where column(required) == nil {
            problems.append(LineProblem(line: header.line, problem: .missingColumn(required)))
        }
        guard let pinColumn = column("pin"), let settlementColumn = column("settlement") else { return .failure(Refusal(problems: problems)) }
        let body = rows.dropFirst().filter { !$0.fields.allSatisfy { $0.trimmingCharacters(in: .whitespaces).isEmpty } }
        guard !body.isEmpty else { return .failure(Refusal(problems: [LineProblem(line: 0, problem: .empty)])) }
        guard body.count <= maximumEntries else { return .failure(Refusal(problems: [LineProblem(line: 0, problem: .tooManyEntries(maximumEntries))])) }
        var firstLine: [String: Int] = [:]
        var entries: [Entry] = []
        entries.reserveCapacity(body.count)
        for row in body {
            func field(_ index: Int?) -> String {
                guard let index, row.fields.indices.contains(index) else { return "" }
                return row.fields[index].trimmingCharacters(in: .whitespaces)
            }
            func fail(_ problem: Problem) { problems.append(LineProblem(line: row.line, problem: problem)) }
            let pin: PersonalNumber
            switch PersonalNumber.parse(field(pinColumn), today: today) {
            case .failure(let problem): fail(.pin(problem)); continue
            case .success(let parsed): pin = parsed
            }
            if let first = firstLine[pin.digits] { fail(.duplicate(firstLine: first)); continue }
            firstLine[pin.digits] = row.line
            let settlement = field(settlementColumn)
            if !settlements.contains(settlement) { fail(.unknownSettlement(settlement)) }
            let birthText = field(column("birth_date")), sexText = field(column("sex"))
            let birth = birthText.isEmpty ? nil : BirthDate(birthText, today: today)
            if !birthText.isEmpty && birth == nil { fail(.birthDate(birthText)) }
            let sex = sexText.isEmpty ? nil : Self.sex(sexText)
            if !sexText.isEmpty && sex == nil { fail(.sex(sexText)) }
            if let implied = pin.implied {
                if (birth != nil && birth != implied.birthDate) || (sex != nil && sex != implied.sex) { fail(.disagreesWithPin) }
            } else if birthText.isEmpty || sexText.isEmpty {
                fail(.needsBirthDateAndSex)
            }
            entries.append(Entry(line: row.line, pin: pin, settlementCode: settlement, name: String(field(column("name")).prefix(200)),
                                 birthDate: birth ?? pin.implied?.birthDate, sex: sex ?? pin.implied?.sex))
        }
        return problems.isEmpty ? .success(entries) : .failure(Refusal(problems: problems))
    }

    static func sex(_ text: String) -> Sex? {
        switch text.lowercased() {
        case "f", "female", "ж", "аял", "жен", "женский": .female
        case "m", "male", "э", "эркек", "муж", "мужской": .male
        default: nil
        }
    }
}
