import DemilgeCore
import Foundation
import Testing

@Suite("Days")
struct DayTests {
    @Test("real days parse; impossible, malformed and out-of-range ones do not")
    func parse() {
        #expect(Day("2025-03-15") == Day(year: 2025, month: 3, day: 15))
        #expect(Day("2024-02-29") != nil, "2024 is a leap year")
        #expect(Day("2000-02-29") != nil, "2000 is a leap year (divisible by 400)")
        for text in ["2025-02-29", "1900-02-29", "2025-04-31", "2025-13-01", "2025-00-10", "2025-01-00", "1989-12-31", "2101-01-01",
                     "2025-3-15", "25-03-15", "2025/03/15", "2025-03-15 ", " 2025-03-15", "2025-03-1a", "2025-03-+1", "２０２５-03-15", ""] {
            #expect(Day(text) == nil, "\(text)")
        }
    }

    @Test("days compare as days and print as stored")
    func order() throws {
        let days = ["2025-12-31", "2025-01-02", "2024-12-31", "2025-01-10"].compactMap(Day.init)
        #expect(days.sorted().map(\.description) == ["2024-12-31", "2025-01-02", "2025-01-10", "2025-12-31"])
        #expect(try #require(Day("2025-03-15")).adding(days: 17).description == "2025-04-01")
        #expect(try #require(Day("2024-03-01")).adding(days: -1).description == "2024-02-29")
    }

    @Test("decoding a stored text that is not a day throws; encoding writes YYYY-MM-DD")
    func codable() throws {
        let day = try JSONDecoder().decode([Day].self, from: Data(#"["2025-03-15"]"#.utf8))
        #expect(day == [Day(year: 2025, month: 3, day: 15)])
        #expect(String(decoding: try JSONEncoder().encode(day), as: UTF8.self) == #"["2025-03-15"]"#)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([Day].self, from: Data(#"["2025-02-30"]"#.utf8)) }
        #expect(throws: Day.NotADay.self) { try Day(stored: "15.03.2025") }
    }

    @Test("today is Bishkek's day (UTC+6)")
    func today() throws {
        let lateUTC = try #require(ISO8601DateFormatter().date(from: "2025-03-15T19:30:00Z"))
        #expect(Day.today(lateUTC).description == "2025-03-16")
        #expect(Day.today(lateUTC.addingTimeInterval(-2 * 3600)).description == "2025-03-15")
    }

    @Test("a stored state is written as its stored value and an unknown one is refused")
    func storedState() {
        #expect("\(BudgetingRule.mesCostSatAddOneGreedy)" == BudgetingRule.mesCostSatAddOneGreedy.rawValue)
        #expect(throws: UnknownStoredState.self) { try GrantStatus(stored: "Approved") }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([ProblemStatus].self, from: Data(#"["archived"]"#.utf8)) }
    }
}

@Suite("Plain amounts")
struct PlainAmountTests {
    @Test("one plain form for machines and forms: two decimals always, or only when there are tyiyn; each reads back")
    func plain() throws {
        let cases: [(Int64, String, String)] = [(145_000_000, "1450000.00", "1450000"), (40_000_050, "400000.50", "400000.50"),
                                                (5, "0.05", "0.05"), (0, "0.00", "0"), (-1_234, "-12.34", "-12.34"), (120, "1.20", "1.20")]
        for (tyiyn, always, whenNeeded) in cases {
            let money = Money(minorUnits: tyiyn)
            #expect(money.plain(.always) == always)
            #expect(money.plain(.whenNeeded) == whenNeeded)
            if tyiyn >= 0 { #expect(try Money.parse(whenNeeded).minorUnits == tyiyn, "\(whenNeeded) reads back") }
        }
    }
}
