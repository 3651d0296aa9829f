import Foundation

/// A calendar month such as October 2019: what programme periods are given in.
/// Stored as `YYYY-MM` text, so no database's date or time-zone handling can shift it.
public struct YearMonth: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int

    public init?(year: Int, month: Int) {
        guard (1...12).contains(month), (1900...2200).contains(year) else { return nil }
        self.year = year
        self.month = month
    }

    /// Parses `2019-10`.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]) else { return nil }
        self.init(year: year, month: month)
    }

    public var description: String { String(format: "%04d-%02d", year, month) }

    /// The number of days in the month, as two digits ("28" … "31").
    public var dayCount: String { String(Day.length(of: month, in: year)) }

    public static func < (a: YearMonth, b: YearMonth) -> Bool { (a.year, a.month) < (b.year, b.month) }

    /// Whole months from `self` to `end`, both included: 2019-10 … 2024-09 is 60.
    public func monthsInclusive(to end: YearMonth) -> Int {
        (end.year - year) * 12 + (end.month - month) + 1
    }

    /// `октябрь 2019-ж.`, `октябрь 2019 г.`, `October 2019`.
    public func formatted(_ language: Language) -> String {
        let middle = DateComponents(calendar: Calendar(identifier: .gregorian), timeZone: Formatters.bishkek,
                                    year: year, month: month, day: 15, hour: 12).date ?? Date(timeIntervalSince1970: 0)
        return Formatters.month(middle, language)
    }
}

extension YearMonth {
    /// Stored and sent as its text (`2019-10`); anything else fails the read.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let month = YearMonth(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a month: \(text)"))
        }
        self = month
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
