@testable import DemilgeApp
import DemilgeCore
import Fluent
import Foundation

/// The indicators computed straight from the records, with queries of their own: what the stored figures (and their
/// months) must add up to.
enum IndicatorsReference {
    static func compute(_ filter: IndicatorFilter, places: [UUID]?, on db: any Database) async throws -> IndicatorFigures {
        var figures = IndicatorFigures()
        let first = filter.from.map { Self.day($0, 1) }, last = filter.to.map { Self.day($0, Day.length(of: $0.month, in: $0.year)) }
        func inPeriod(_ day: Day) -> Bool { first.map { day >= $0 } ?? true && last.map { day <= $0 } ?? true }

        let problems = Problem.query(on: db).filter(\.$hidden == false).filter(\.$mergedInto.$id == nil)
        if let places { problems.filter(\.$territory.$id ~~ places) }
        if let first { problems.filter(\.$createdAt >= first.start) }
        if let end = last?.start.addingTimeInterval(24 * 3600) { problems.filter(\.$createdAt < end) }
        figures.problemsRaised = try await problems.copy().count()
        figures.problemsSolved = try await problems.filter(\.$status == ProblemStatus.solved).count()

        let sessions = AssessmentSession.query(on: db)
        if let places { sessions.filter(\.$territory.$id ~~ places) }
        if let from = first { sessions.filter(\.$heldOn >= from) }
        if let to = last { sessions.filter(\.$heldOn <= to) }
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
        if let from = first { rounds.filter(\.$closesOn >= from) }
        if let to = last { rounds.filter(\.$closesOn <= to) }
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
            let approvals = Dictionary(try await GrantTransition.query(on: db).filter(\.$application.$id ~~ grantIDs)
                .filter(\.$to == GrantStatus.approved).all().map { ($0.$application.id, $0.at) }, uniquingKeysWith: min)
            let records = try await GrantLedgerLoader.Records.load(grantIDs, on: db)
            let reports = Dictionary(firstValues: try await GrantReport.query(on: db).filter(\.$application.$id ~~ grantIDs).all().map { ($0.$application.id, $0) })
            var ledgers: [GrantLedger] = []
            for grant in awarded {
                let dated = grant.id.flatMap { approvals[$0] } ?? grant.submittedAt
                guard let id = grant.id, first == nil && last == nil || dated.map({ inPeriod(Day.today($0)) }) == true else { continue }
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
        if let from = first { events.filter(\.$heldOn >= from) }
        if let to = last { events.filter(\.$heldOn <= to) }
        figures.events = try await events.count()
        return figures
    }

    static func day(_ month: YearMonth, _ day: Int) -> Day {
        Day(year: month.year, month: month.month, day: day) ?? Day.today()
    }
}
