import DemilgeCore
import Foundation
import Testing

@Suite("A place's figures by month")
struct PlaceFiguresTests {
    static func day(_ text: String) throws -> Day { try #require(Day(text)) }

    static func sample() throws -> PlaceFigures {
        var place = PlaceFigures()
        for (raised, count) in [("2022-12-31", 1), ("2023-01-01", 2), ("2023-06-15", 4), ("2024-01-10", 8)] {
            place.problemsRaised += count
            place.dated(try day(raised)) { $0.problemsRaised += count }
        }
        place.dated(try day("2023-06-01")) { $0.ballots["paper", default: 0] += 59 }
        return place
    }

    @Test("a period adds up the months from its first to its last, both included, either open")
    func within() throws {
        let place = try Self.sample()
        let month = { (text: String) in YearMonth(text) }
        #expect(place.within(from: nil, to: nil).problemsRaised == place.problemsRaised)
        #expect(place.within(from: month("2023-01"), to: month("2023-12")).problemsRaised == 6)
        #expect(place.within(from: month("2023-06"), to: month("2023-06")).ballots["paper"] == 59)
        #expect(place.within(from: month("2023-02"), to: nil).problemsRaised == 12)
        #expect(place.within(from: nil, to: month("2022-12")).problemsRaised == 1)
        #expect(place.within(from: month("2025-01"), to: nil) == PlaceFigures())
        #expect(place.within(from: month("2023-07"), to: month("2023-01")) == PlaceFigures(), "a period ending before it starts has nothing")
    }

    @Test("stored as JSON without its empty figures, and read back the same; a row stored before months reads as none")
    func storage() throws {
        let place = try Self.sample()
        let json = try JSONEncoder().encode(place)
        let text = try #require(String(data: json, encoding: .utf8))
        #expect(!text.contains("openByCategory") && !text.contains("latestVisits") && text.contains("2023-06"))
        #expect(try JSONDecoder().decode(PlaceFigures.self, from: json) == place)
        let older = try JSONDecoder().decode(PlaceFigures.self, from: Data(#"{"problemsRaised":3,"sessions":1}"#.utf8))
        #expect(older.problemsRaised == 3 && older.sessions == 1 && older.byMonth.isEmpty)
    }
}
