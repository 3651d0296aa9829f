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

    /// The figures for one filter. Without a period they add up each place's stored figures (`PlaceFiguresStore`,
    /// from this instance's `PlaceFiguresMirror`); a period needs the records' own days, so they are computed from a fixed number of queries
    /// (no query per grant or session) and kept for a minute: the page and its two charts ask for them at once.
    static func load(_ filter: IndicatorFilter, _ req: Request) async throws -> IndicatorFigures {
        let places: [UUID]? = try await filter.territory.asyncMap { Array(try await req.territoryDirectory().subtree(of: try $0.requireID())) }
        let db = req.db
        guard filter.from != nil || filter.to != nil else {
            return IndicatorFigures(try await req.placeFigures(places), programme: try filter.programme?.requireID())
        }
        return try await req.application.indicatorsCache.figures(for: filter.query) { try await compute(filter, places: places, on: db) }
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

    static func compute(_ filter: IndicatorFilter, places: [UUID]?, on db: any Database) async throws -> IndicatorFigures {
        var figures = IndicatorFigures()

        let problems = Problem.query(on: db).filter(\.$hidden == false).filter(\.$mergedInto.$id == nil)
        if let places { problems.filter(\.$territory.$id ~~ places) }
        if let from = filter.from { problems.filter(\.$createdAt >= from.start) }
        if let end = filter.to?.start.addingTimeInterval(24 * 3600) { problems.filter(\.$createdAt < end) }
        figures.problemsRaised = try await problems.copy().count()
        figures.problemsSolved = try await problems.filter(\.$status == ProblemStatus.solved).count()

        let sessions = AssessmentSession.query(on: db)
        if let places { sessions.filter(\.$territory.$id ~~ places) }
        if let from = filter.from { sessions.filter(\.$heldOn >= from) }
        if let to = filter.to { sessions.filter(\.$heldOn <= to) }
        let sessionIDs = try await sessions.all(\.$id)
        figures.sessions = sessionIDs.count
        if !sessionIDs.isEmpty {
            for group in try await FocusGroup.query(on: db).filter(\.$session.$id ~~ sessionIDs).all() {
                figures.participants = figures.participants + group.participants
            }
        }

        // Ballots of rounds whose voting has closed: nothing is counted while a round is open.
        let rounds = BudgetRound.query(on: db).filter(\.$status ~~ [RoundStatus.counting, .published])
        if let places { rounds.filter(\.$territory.$id ~~ places) }
        if let from = filter.from { rounds.filter(\.$closesOn >= from) }
        if let to = filter.to { rounds.filter(\.$closesOn <= to) }
        let roundIDs = try await rounds.all(\.$id)
        if !roundIDs.isEmpty {
            let counts = try await RoundData.counts(roundIDs, on: db)
            figures.ballotsOnline = counts[.online] ?? 0
            figures.ballotsPaper = counts[.paper] ?? 0
            figures.ballotsImported = counts[.imported] ?? 0
        }

        let calls = GrantCall.query(on: db)
        if let programme = filter.programme { calls.filter(\.$programme.$id == (try programme.requireID())) }
        let callIDs = try await calls.all(\.$id)
        var awarded: [GrantApplication] = []
        if !callIDs.isEmpty {
            let query = GrantApplication.query(on: db).filter(\.$call.$id ~~ callIDs).filter(\.$status ~~ GrantDisplay.awarded)
            if let places { query.filter(\.$territory.$id ~~ places) }
            awarded = try await query.all()
            try await GrantApplication.loadLines(of: awarded, on: db)
        }
        let grantIDs = awarded.compactMap(\.id)
        if !grantIDs.isEmpty {
            let approvals = Dictionary(firstValues: try await GrantTransition.query(on: db).filter(\.$application.$id ~~ grantIDs)
                .filter(\.$to == GrantStatus.approved).all().map { ($0.$application.id, $0.at) })
            let records = try await GrantLedgerLoader.Records.load(grantIDs, on: db)
            let reports = Dictionary(firstValues: try await GrantReport.query(on: db).filter(\.$application.$id ~~ grantIDs).all().map { ($0.$application.id, $0) })
            var ledgers: [GrantLedger] = []
            for grant in awarded {
                guard let id = grant.id, filter.inPeriod(Day.today(approvals[id] ?? grant.submittedAt ?? Date())) else { continue }
                figures.grantsAwarded += 1
                ledgers.append(records.ledger(of: grant))
                guard let contract = records.contracts[id] else { continue }
                figures.grantsContracted += 1
                if [.completed, .closed].contains(grant.status) {
                    figures.grantsFinished += 1
                    if let report = reports[id], report.submittedOn <= contract.endsOn { figures.grantsOnTime += 1 }
                }
            }
            figures.ledger = GrantLedger.sum(ledgers)
        }

        let events = Event.query(on: db)
        if let places { events.filter(\.$host.$id ~~ places) }
        if let programme = filter.programme { events.filter(\.$programme.$id == (try programme.requireID())) }
        if let from = filter.from { events.filter(\.$heldOn >= from) }
        if let to = filter.to { events.filter(\.$heldOn <= to) }
        figures.events = try await events.count()
        return figures
    }
}
