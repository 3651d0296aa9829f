import Foundation

/// What one territory's own records (not those of the places under it) add to the indicators and to the portals
/// of every territory above it. Every figure adds up, so the figures of a territory and everything under it are the
/// sum of its subtree's; the latest visits and sessions are merged, keeping the latest few.
///
/// Keys are strings so the stored JSON stays an object: programme ids (lower-case UUIDs, `""` for none), problem
/// categories, ballot channels and funding sources by their stored names, months as `2025-03`. Figures that are 0 or
/// empty are left out of the JSON (a place's months are mostly empty).
public struct PlaceFigures: Codable, Equatable, Sendable {
    public struct Grants: Codable, Equatable, Sendable {
        public var awarded = 0, contracted = 0, finished = 0, onTime = 0
        public var planned: [String: Int64] = [:], paid: [String: Int64] = [:], spent: [String: Int64] = [:]

        public init() {}

        public var ledger: GrantLedger {
            func bySource(_ amounts: [String: Int64]) -> [FundingSource: Int64] {
                amounts.reduce(into: [:]) { sum, entry in
                    if let source = FundingSource(rawValue: entry.key) { sum[source, default: 0] = sum[source, default: 0].saturatingAdding(entry.value) }
                }
            }
            return GrantLedger(planned: bySource(planned), paid: bySource(paid), spent: bySource(spent))
        }

        public mutating func add(ledger: GrantLedger) {
            for row in ledger.rows {
                planned[row.source.rawValue, default: 0] = planned[row.source.rawValue, default: 0].saturatingAdding(row.planned)
                paid[row.source.rawValue, default: 0] = paid[row.source.rawValue, default: 0].saturatingAdding(row.paid)
                spent[row.source.rawValue, default: 0] = spent[row.source.rawValue, default: 0].saturatingAdding(row.spent)
            }
        }

        public mutating func add(_ other: Grants) {
            awarded = awarded.saturatingAdding(other.awarded)
            contracted = contracted.saturatingAdding(other.contracted)
            finished = finished.saturatingAdding(other.finished)
            onTime = onTime.saturatingAdding(other.onTime)
            add(ledger: other.ledger)
        }
    }

    /// A record shown in a "latest" list: which, and the day it is sorted by (the id settles ties).
    public struct Dated: Codable, Equatable, Sendable {
        public let id: UUID
        public let day: Day

        public init(id: UUID, day: Day) {
            self.id = id
            self.day = day
        }

        static func latestFirst(_ a: Dated, _ b: Dated) -> Bool {
            a.day != b.day ? a.day > b.day : a.id.uuidString > b.id.uuidString
        }
    }

    public static let keptVisits = 5
    public static let keptSessions = 12

    public var problemsRaised = 0, problemsSolved = 0
    /// Problems still open (not hidden, not merged into another), by category.
    public var openByCategory: [String: Int] = [:]
    public var sessions = 0
    public var participants = Participants()
    /// Ballots of rounds whose voting has closed, by channel.
    public var ballots: [String: Int] = [:]
    public var measuresDone = 0, measuresTotal = 0
    public var eventsByProgramme: [String: Int] = [:]
    /// Awarded grants by the programme of their call.
    public var grantsByProgramme: [String: Grants] = [:]
    public var latestVisits: [Dated] = []
    public var latestSessions: [Dated] = []
    /// The figures of the records dated in each month, by `YearMonth.description`: problems by the day raised,
    /// sessions and events by the day held, ballots by the day their round's voting closed, grants by the day approved
    /// (submitted, when never approved). Not added up by `add`: `within` adds up a period's months.
    public var byMonth: [String: PlaceFigures] = [:]

    public init() {}

    /// Changes the figures of the month `day` falls in.
    public mutating func dated(_ day: Day, _ change: (inout PlaceFigures) -> Void) {
        guard let month = day.yearMonth else { return }
        change(&byMonth[month.description, default: PlaceFigures()])
    }

    /// The figures of the records dated from the month `from` to the month `to` (either open).
    public func within(from: YearMonth?, to: YearMonth?) -> PlaceFigures {
        let first = from?.description ?? "", last = to?.description
        var sum = PlaceFigures()
        for (month, figures) in byMonth where month >= first && last.map({ month <= $0 }) ?? true { sum.add(figures) }
        return sum
    }

    public mutating func add(_ other: PlaceFigures) {
        problemsRaised = problemsRaised.saturatingAdding(other.problemsRaised)
        problemsSolved = problemsSolved.saturatingAdding(other.problemsSolved)
        Self.add(other.openByCategory, to: &openByCategory)
        sessions = sessions.saturatingAdding(other.sessions)
        participants = participants + other.participants
        Self.add(other.ballots, to: &ballots)
        measuresDone = measuresDone.saturatingAdding(other.measuresDone)
        measuresTotal = measuresTotal.saturatingAdding(other.measuresTotal)
        Self.add(other.eventsByProgramme, to: &eventsByProgramme)
        for (programme, grants) in other.grantsByProgramme { grantsByProgramme[programme, default: Grants()].add(grants) }
        latestVisits = Self.latest(latestVisits + other.latestVisits, Self.keptVisits)
        latestSessions = Self.latest(latestSessions + other.latestSessions, Self.keptSessions)
    }

    public static func sum(_ all: some Sequence<PlaceFigures>) -> PlaceFigures {
        all.reduce(into: PlaceFigures()) { $0.add($1) }
    }

    /// The grants of one programme (by its id), or of every programme.
    public func grants(programme: String?) -> Grants {
        guard let programme else { return grantsByProgramme.values.reduce(into: Grants()) { $0.add($1) } }
        return grantsByProgramme[programme] ?? Grants()
    }

    public func events(programme: String?) -> Int {
        guard let programme else { return eventsByProgramme.values.reduce(0) { $0.saturatingAdding($1) } }
        return eventsByProgramme[programme] ?? 0
    }

    public var openProblems: Int { openByCategory.values.reduce(0) { $0.saturatingAdding($1) } }

    public var openCategories: [ProblemCategory] {
        openByCategory.filter { $0.value > 0 }.keys.compactMap(ProblemCategory.init(rawValue:))
    }

    public static func latest(_ records: [Dated], _ count: Int) -> [Dated] {
        Array(records.sorted(by: Dated.latestFirst).prefix(count))
    }

    private static func add(_ other: [String: Int], to sum: inout [String: Int]) {
        for (key, value) in other { sum[key, default: 0] = sum[key, default: 0].saturatingAdding(value) }
    }
}

extension PlaceFigures {
    private enum CodingKeys: String, CodingKey {
        case problemsRaised, problemsSolved, openByCategory, sessions, participants, ballots, measuresDone, measuresTotal
        case eventsByProgramme, grantsByProgramme, latestVisits, latestSessions, byMonth
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        problemsRaised = try c.decodeIfPresent(Int.self, forKey: .problemsRaised) ?? 0
        problemsSolved = try c.decodeIfPresent(Int.self, forKey: .problemsSolved) ?? 0
        openByCategory = try c.decodeIfPresent([String: Int].self, forKey: .openByCategory) ?? [:]
        sessions = try c.decodeIfPresent(Int.self, forKey: .sessions) ?? 0
        participants = try c.decodeIfPresent(Participants.self, forKey: .participants) ?? Participants()
        ballots = try c.decodeIfPresent([String: Int].self, forKey: .ballots) ?? [:]
        measuresDone = try c.decodeIfPresent(Int.self, forKey: .measuresDone) ?? 0
        measuresTotal = try c.decodeIfPresent(Int.self, forKey: .measuresTotal) ?? 0
        eventsByProgramme = try c.decodeIfPresent([String: Int].self, forKey: .eventsByProgramme) ?? [:]
        grantsByProgramme = try c.decodeIfPresent([String: Grants].self, forKey: .grantsByProgramme) ?? [:]
        latestVisits = try c.decodeIfPresent([Dated].self, forKey: .latestVisits) ?? []
        latestSessions = try c.decodeIfPresent([Dated].self, forKey: .latestSessions) ?? []
        byMonth = try c.decodeIfPresent([String: PlaceFigures].self, forKey: .byMonth) ?? [:]
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        if problemsRaised != 0 { try c.encode(problemsRaised, forKey: .problemsRaised) }
        if problemsSolved != 0 { try c.encode(problemsSolved, forKey: .problemsSolved) }
        if !openByCategory.isEmpty { try c.encode(openByCategory, forKey: .openByCategory) }
        if sessions != 0 { try c.encode(sessions, forKey: .sessions) }
        if participants != Participants() { try c.encode(participants, forKey: .participants) }
        if !ballots.isEmpty { try c.encode(ballots, forKey: .ballots) }
        if measuresDone != 0 { try c.encode(measuresDone, forKey: .measuresDone) }
        if measuresTotal != 0 { try c.encode(measuresTotal, forKey: .measuresTotal) }
        if !eventsByProgramme.isEmpty { try c.encode(eventsByProgramme, forKey: .eventsByProgramme) }
        if !grantsByProgramme.isEmpty { try c.encode(grantsByProgramme, forKey: .grantsByProgramme) }
        if !latestVisits.isEmpty { try c.encode(latestVisits, forKey: .latestVisits) }
        if !latestSessions.isEmpty { try c.encode(latestSessions, forKey: .latestSessions) }
        if !byMonth.isEmpty { try c.encode(byMonth, forKey: .byMonth) }
    }
}
