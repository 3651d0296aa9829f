import Foundation

public enum Sex: String, CaseIterable, Codable, Sendable {
    case female, male
    public var catalogKey: String { "sex.\(rawValue)" }
}

/// Age bands for disaggregating participants, as donors' reports ask.
public enum AgeBand: String, CaseIterable, Codable, Sendable {
    case under18 = "u18"
    case from18to29 = "18_29"
    case from30to59 = "30_59"
    case over60 = "60p"
    public var catalogKey: String { "age.\(rawValue)" }
}

/// How many people took part, by sex and age band.
public struct Participants: Equatable, Codable, Sendable {
    public static let maximumPerCell = 10_000

    private var counts: [String: Int]

    public init() { counts = [:] }

    public static func key(_ sex: Sex, _ band: AgeBand) -> String { "\(sex.rawValue)_\(band.rawValue)" }

    /// Every cell, in table order: women by age band, then men.
    public static var allKeys: [(key: String, sex: Sex, band: AgeBand)] {
        Sex.allCases.flatMap { sex in AgeBand.allCases.map { (key(sex, $0), sex, $0) } }
    }

    public subscript(sex: Sex, band: AgeBand) -> Int {
        get { counts[Self.key(sex, band)] ?? 0 }
        set { counts[Self.key(sex, band)] = newValue }
    }

    // Sums saturate: counts come from forms (bounded) and stored rows, and a corrupt row must not stop the server.
    public func total(_ sex: Sex) -> Int { AgeBand.allCases.map { self[sex, $0] }.saturatingSum() }
    public func total(_ band: AgeBand) -> Int { Sex.allCases.map { self[$0, band] }.saturatingSum() }
    public var total: Int { Sex.allCases.map { total($0) }.saturatingSum() }

    /// Equal when every cell is: a cell never filled in is a cell of 0.
    public static func == (a: Participants, b: Participants) -> Bool {
        allKeys.allSatisfy { a[$0.sex, $0.band] == b[$0.sex, $0.band] }
    }

    public static func + (a: Participants, b: Participants) -> Participants {
        var sum = Participants()
        for sex in Sex.allCases { for band in AgeBand.allCases { sum[sex, band] = a[sex, band].saturatingAdding(b[sex, band]) } }
        return sum
    }

    public enum ParseError: Error, Equatable { case notACount(String), tooMany(String), none }

    /// Reads counts typed into a form (`female_u18` … `male_60p`); blank means 0.
    public static func parse(_ fields: [String: String]) throws(ParseError) -> Participants {
        var participants = Participants()
        for sex in Sex.allCases {
            for band in AgeBand.allCases {
                let key = key(sex, band)
                let text = (fields[key] ?? "").trimmingCharacters(in: .whitespaces)
                guard !text.isEmpty else { continue }
                guard text.allSatisfy({ $0.isASCII && $0.isNumber }) else { throw .notACount(key) }
                guard let count = BoundedInt.parse(text, in: 0...maximumPerCell) else { throw .tooMany(key) }
                participants[sex, band] = count
            }
        }
        guard participants.total > 0 else { throw .none }
        return participants
    }
}

/// The usual focus groups of a needs assessment; `custom` carries its own label.
public enum FocusGroupKind: String, StoredState {
    case women, men, youth, elders, disabilities, minorities, custom
    public var catalogKey: String { "focus_group.\(rawValue)" }
}

extension GroupRanking {
    /// Builds tiers from the places a facilitator wrote down: equal places are ties; only the
    /// order of the numbers matters (1, 2, 2, 4 and 1, 2, 2, 3 mean the same).
    public init(group: String, places: [ProblemID: Int]) {
        let tiers = Dictionary(grouping: places, by: \.value).sorted { $0.key < $1.key }.map { $0.value.map(\.key).sorted() }
        self.init(group: group, tiers: tiers)
    }
}
