import DemilgeCore
import Fluent
import Vapor

/// Every figure of the indicators page, for one filter.
struct IndicatorFigures: Equatable, Sendable {
    var problemsRaised = 0, problemsSolved = 0, sessions = 0
    var participants = Participants()
    var ballotsOnline = 0, ballotsPaper = 0, ballotsImported = 0
    var grantsAwarded = 0, grantsFinished = 0, grantsContracted = 0, grantsOnTime = 0
    var events = 0
    var ledger = GrantLedger(planned: [:], paid: [:], spent: [:])
    /// Share of contracted grants that are completed or closed, and of those finished by the agreement's end date.
    var completionRate: Rational? { grantsContracted == 0 ? nil : Rational(grantsFinished) / Rational(grantsContracted) }
    var onTimeRate: Rational? { grantsFinished == 0 ? nil : Rational(grantsOnTime) / Rational(grantsFinished) }

    /// The figures for one filter, added up from each place's stored figures (`PlaceFiguresStore`, from this
    /// instance's `PlaceFiguresMirror`): of all time, or of the months of the period, which are kept by month.
    static func load(_ filter: IndicatorFilter, _ req: Request) async throws -> IndicatorFigures {
        let places: [UUID]? = try await filter.territory.asyncMap { Array(try await req.territoryDirectory().subtree(of: try $0.requireID())) }
        let period = filter.from == nil && filter.to == nil ? nil : PlaceFiguresMirror.Period(from: filter.from, to: filter.to)
        return IndicatorFigures(try await req.placeFigures(places, within: period), programme: try filter.programme?.requireID())
    }

    /// The figures of all time from the places' stored figures, for one programme's grants and events or all.
    init(_ stored: PlaceFigures, programme: UUID?) {
        let key = programme?.uuidString.lowercased()
        let grants = stored.grants(programme: key)
        problemsRaised = stored.problemsRaised
        problemsSolved = stored.problemsSolved
        sessions = stored.sessions
        participants = stored.participants
        ballotsOnline = stored.ballots[BudgetBallot.Channel.online.rawValue] ?? 0
        ballotsPaper = stored.ballots[BudgetBallot.Channel.paper.rawValue] ?? 0
        ballotsImported = stored.ballots[BudgetBallot.Channel.imported.rawValue] ?? 0
        grantsAwarded = grants.awarded
        grantsContracted = grants.contracted
        grantsFinished = grants.finished
        grantsOnTime = grants.onTime
        ledger = grants.ledger
        events = stored.events(programme: key)
    }

    init() {}
}
