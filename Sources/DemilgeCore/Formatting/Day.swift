import Foundation

/// A calendar day such as 15 March 2025: deadlines, meetings, payments, a round's window.
///
/// Stored as `YYYY-MM-DD` text, so no database's date or time-zone handling can shift it. Reading a stored text
/// that is not a real day throws; days are compared as days, never as strings.
public struct Day: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Years a form or a data file may name.
    public static let years = 1990...2100

    public init?(year: Int, month: Int, day: Int) {
        guard Self.years.contains(year), (1...12).contains(month), (1...Self.length(of: month, in: year)).contains(day) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `2025-03-15`: four, two and two digits, a real day of the Gregorian calendar.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]) else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// The day it is at `now` in Bishkek.
    public static func today(_ now: Date = Date()) -> Day {
        let parts = Calendar(identifier: .gregorian).dateComponents(in: Formatters.bishkek, from: now)
        return Day(year: parts.year ?? 2000, month: parts.month ?? 1, day: parts.day ?? 1) ?? Day.epoch
    }

    private static let epoch = Day(uncheckedYear: 2000, month: 1, day: 1)
    private init(uncheckedYear year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// How many days the month has (28 … 31).
    public static func length(of month: Int, in year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// The day `days` later (earlier when negative); the same day if that leaves the calendar's range.
    public func adding(days: Int) -> Day {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = Formatters.bishkek
        guard let shifted = calendar.date(byAdding: .day, value: days, to: noon) else { return self }
        let parts = calendar.dateComponents([.year, .month, .day], from: shifted)
        return Day(year: parts.year ?? year, month: parts.month ?? month, day: parts.day ?? day) ?? self
    }

    public var description: String { String(format: "%04d-%02d-%02d", year, month, day) }

    public var yearMonth: YearMonth? { YearMonth(year: year, month: month) }

    /// The first moment of the day in Bishkek.
    public var start: Date { at(hour: 0) }

    /// Noon of the day in Bishkek, for formatting.
    public var noon: Date { at(hour: 12) }

    private func at(hour: Int) -> Date {
        DateComponents(calendar: Calendar(identifier: .gregorian), timeZone: Formatters.bishkek,
                       year: year, month: month, day: day, hour: hour).date ?? Date(timeIntervalSince1970: 0)
    }

    /// `15-март 2025-ж.`, `15 марта 2025 г.`, `15 March 2025`.
    public func formatted(_ language: Language) -> String { Formatters.date(noon, language) }

    public static func < (a: Day, b: Day) -> Bool { (a.year, a.month, a.day) < (b.year, b.month, b.day) }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let day = Day(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a day: \(text)"))
        }
        self = day
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension Day {
    public struct NotADay: Error, CustomStringConvertible {
        public let text: String
        public var description: String { "not a day (YYYY-MM-DD): “\(text)”" }
    }

    /// The day `text` names, or an error (for seeds, data files and fields a form has already checked).
    public init(stored text: String) throws {
        guard let day = Day(text) else { throw NotADay(text: text) }
        self = day
    }
}
