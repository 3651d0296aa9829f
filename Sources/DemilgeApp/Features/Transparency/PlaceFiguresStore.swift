import DemilgeCore
import Fluent
import SQLKit
import Vapor

/// Each territory's own figures (`PlaceFigures`), of all time and month by month, stored, so that the indicators (of
/// any period of months) and every portal add up a row per place instead of reading every problem, session, ballot
/// and grant under it on a view.
///
/// They are kept current in the writing transaction: `Application.write` calls `refresh` before it commits,
/// which recomputes the places named by the audit entries the transaction wrote (every change of public data writes
/// one). Supports, comments and ballots of open rounds change no figure and cost nothing here. Writes made outside
/// that path (the demo data, the generated country, a new database) are followed by `rebuildAll`; `demilge figures
/// rebuild` does the same by hand, and `FiguresTests` checks that the stored figures equal those computed afresh.
enum PlaceFiguresStore {
    /// Audit actions that change no figure.
    static let ignoredActions: Set<String> = ["problem.support", "problem.comment", "ballot.cast", "ballot.change", "paper.first_entry"]

    // MARK: - Reading

    /// The figures of these places added up (every place when nil).
    static func sum(_ places: [UUID]?, on db: any Database) async throws -> PlaceFigures {
        let query = PlaceFiguresRecord.query(on: db)
        if let places {
            guard !places.isEmpty else { return PlaceFigures() }
            if places.count <= 2_000 { query.filter(\.$id ~~ places) }
        }
        let wanted = places.map(Set.init)
        let records = try await query.all()
        return PlaceFigures.sum(records.lazy.filter { record in wanted.map { set in record.id.map(set.contains) ?? false } ?? true }.map(\.figures.value))
    }

    /// Whether the figures have been built for this database (a fresh or upgraded one has none until `rebuildAll`).
    static func isBuilt(on db: any Database) async throws -> Bool {
        if try await PlaceFiguresRecord.query(on: db).first() != nil { return true }
        return try await Territory.query(on: db).first() == nil
    }

    // MARK: - Keeping them current

    /// Recomputes the places named by the audit entries a transaction wrote, inside that transaction. Writes whose
    /// entries change no figure (supports, comments, ballots of open rounds) cost no query here.
    static func refresh(_ entries: [AuditLog.Written.Entry], on db: any Database) async throws {
        let places = try await placesChanged(by: entries.map { ($0.action, $0.entityType, $0.entityID) }, on: db)
        guard !places.isEmpty else { return }
        if let sql = db as? any SQLDatabase, sql.dialect.name == "postgresql" {
            // The audit chain's lock (held already by the entries' own recording): refreshes run one at a time with
            // every audited write, so a place's figures are never overwritten by a computation that did not see a
            // change committed meanwhile.
            try await sql.raw("SELECT pg_advisory_xact_lock(7263001)").run()
        }
        try await store(try await compute(Array(places), on: db), on: db)
    }

    /// Builds every place's figures when none are stored yet (a new or upgraded database).
    static func ensureBuilt(_ app: Application) async throws {
        guard try await !isBuilt(on: app.db) else { return }
        app.logger.notice("Computing each place's figures (once)")
        try await rebuildAll(on: app.db)
    }

    /// Every place's figures computed afresh, a few hundred places at a time.
    static func rebuildAll(on db: any Database, progress: ((Int, Int) -> Void)? = nil) async throws {
        let ids = try await Territory.query(on: db).all(\.$id)
        var done = 0
        for start in stride(from: 0, to: ids.count, by: 250) {
            let batch = Array(ids[start..<min(start + 250, ids.count)])
            try await db.transaction { db in try await store(try await compute(batch, on: db), on: db) }
            done += batch.count
            progress?(done, ids.count)
        }
    }

    /// The places whose figures audit entries change: the territory of a problem, session, commission, round, grant or
    /// event, every applicant's place for a call; none for the ignored actions (no query when nothing is left).
    static func placesChanged(by entries: [(action: String, type: String, id: String)], on db: any Database) async throws -> Set<UUID> {
        var byType: [String: [UUID]] = [:]
        for entry in entries where !ignoredActions.contains(entry.action) {
            if let id = UUID(uuidString: entry.id) { byType[entry.type, default: []].append(id) }
        }
        var places = Set<UUID>()
        for (type, ids) in byType {
            switch type {
            case "problem": places.formUnion(try await Problem.query(on: db).filter(\.$id ~~ ids).all(\.$territory.$id))
            case "assessment": places.formUnion(try await AssessmentSession.query(on: db).filter(\.$id ~~ ids).all(\.$territory.$id))
            case "commission": places.formUnion(try await Commission.query(on: db).filter(\.$id ~~ ids).all(\.$territory.$id))
            case "round": places.formUnion(try await BudgetRound.query(on: db).filter(\.$id ~~ ids).all(\.$territory.$id))
            case "grant_application": places.formUnion(try await GrantApplication.query(on: db).filter(\.$id ~~ ids).all(\.$territory.$id))
            case "grant_call": places.formUnion(try await GrantApplication.query(on: db).filter(\.$call.$id ~~ ids).unique().all(\.$territory.$id))
            case "event": places.formUnion(try await Event.query(on: db).filter(\.$id ~~ ids).all(\.$host.$id))
            case "territory": places.formUnion(ids)
            default: break
            }
        }
        return places
    }

    private static func store(_ figures: [UUID: PlaceFigures], on db: any Database) async throws {
        guard !figures.isEmpty else { return }
        let existing = try await PlaceFiguresRecord.query(on: db).filter(\.$id ~~ Array(figures.keys)).all()
        let byID = Dictionary(firstValues: existing.compactMap { record in record.id.map { ($0, record) } })
        for (place, value) in figures {
            if let record = byID[place] {
                guard record.figures.value != value else { continue }
                record.figures = JSONText(value)
                try await record.update(on: db)
            } else {
                try await PlaceFiguresRecord(place: place, figures: value).create(on: db)
            }
        }
    }

    // MARK: - Computing

    /// The own figures of each place, from a fixed number of queries for the whole batch.
    static func compute(_ places: [UUID], on db: any Database) async throws -> [UUID: PlaceFigures] {
        var figures = Dictionary(firstValues: places.map { ($0, PlaceFigures()) })
        guard !places.isEmpty else { return figures }

        let problems = try await Problem.query(on: db).filter(\.$territory.$id ~~ places).filter(\.$hidden == false)
            .field(\.$territory.$id).field(\.$status).field(\.$category).field(\.$mergedInto.$id).field(\.$createdAt).all()
        // A duplicate merged into another problem counts once, as that problem.
        for problem in problems where problem.$mergedInto.id == nil {
            let place = problem.$territory.id
            if problem.status.isOpen { figures[place]?.openByCategory[problem.category.rawValue, default: 0] += 1 }
            let solved = problem.status == .solved ? 1 : 0
            figures[place]?.problemsRaised += 1
            figures[place]?.problemsSolved += solved
            if let raised = problem.createdAt {
                figures[place]?.dated(Day.today(raised)) { $0.problemsRaised += 1; $0.problemsSolved += solved }
            }
        }

        let sessions = try await AssessmentSession.query(on: db).filter(\.$territory.$id ~~ places)
            .field(\.$id).field(\.$territory.$id).field(\.$heldOn).all()
        let sessionOf = Dictionary(firstValues: sessions.compactMap { session in session.id.map { ($0, session) } })
        for session in sessions {
            guard let id = session.id else { continue }
            figures[session.$territory.id]?.sessions += 1
            figures[session.$territory.id]?.dated(session.heldOn) { $0.sessions += 1 }
            figures[session.$territory.id]?.latestSessions.append(PlaceFigures.Dated(id: id, day: session.heldOn))
        }
        if !sessionOf.isEmpty {
            let groups = try await FocusGroup.query(on: db).filter(\.$session.$id ~~ Array(sessionOf.keys))
                .field(\.$session.$id).field(\.$participantsJSON).all()
            for group in groups {
                guard let session = sessionOf[group.$session.id], var own = figures[session.$territory.id] else { continue }
                own.participants = own.participants + group.participants
                own.dated(session.heldOn) { $0.participants = $0.participants + group.participants }
                figures[session.$territory.id] = own
            }
        }

        // Ballots of rounds whose voting has closed: nothing is counted while a round is open.
        let rounds = try await BudgetRound.query(on: db).filter(\.$territory.$id ~~ places).filter(\.$status ~~ [RoundStatus.counting, .published])
            .field(\.$id).field(\.$territory.$id).field(\.$closesOn).all()
        for round in rounds {
            guard let id = round.id else { continue }
            for (channel, count) in try await RoundData.counts(id, on: db) {
                figures[round.$territory.id]?.ballots[channel.rawValue, default: 0] += count
                figures[round.$territory.id]?.dated(round.closesOn) { $0.ballots[channel.rawValue, default: 0] += count }
            }
        }

        let measures = try await ActionMeasure.query(on: db).join(Commission.self, on: \ActionMeasure.$commission.$id == \Commission.$id)
            .filter(Commission.self, \.$territory.$id ~~ places).field(\.$status).field(Commission.self, \.$territory.$id).all()
        for measure in measures {
            let place = try measure.joined(Commission.self).$territory.id
            if measure.status == .done { figures[place]?.measuresDone += 1 }
            if measure.status != .cancelled { figures[place]?.measuresTotal += 1 }
        }

        let events = try await Event.query(on: db).filter(\.$host.$id ~~ places).field(\.$host.$id).field(\.$programme.$id).field(\.$heldOn).all()
        for event in events {
            let programme = event.$programme.id?.uuidString.lowercased() ?? ""
            figures[event.$host.id]?.eventsByProgramme[programme, default: 0] += 1
            figures[event.$host.id]?.dated(event.heldOn) { $0.eventsByProgramme[programme, default: 0] += 1 }
        }

        try await addGrants(to: &figures, places, on: db)
        for (place, var own) in figures {
            own.latestSessions = PlaceFigures.latest(own.latestSessions, PlaceFigures.keptSessions)
            own.latestVisits = PlaceFigures.latest(own.latestVisits, PlaceFigures.keptVisits)
            figures[place] = own
        }
        return figures
    }

    /// Awarded grants by their call's programme: money by source, contracts, completions on time, monitoring visits.
    private static func addGrants(to figures: inout [UUID: PlaceFigures], _ places: [UUID], on db: any Database) async throws {
        let awarded = try await GrantApplication.query(on: db).filter(\.$territory.$id ~~ places).filter(\.$status ~~ GrantDisplay.awarded).all()
        let grantIDs = awarded.compactMap(\.id)
        guard !grantIDs.isEmpty else { return }
        try await GrantApplication.loadLines(of: awarded, on: db)
        let records = try await GrantLedgerLoader.Records.load(grantIDs, on: db)
        let calls = Array(Set(awarded.map(\.$call.id)))
        let programmeOf = Dictionary(firstValues: try await GrantCall.query(on: db).filter(\.$id ~~ calls).field(\.$id).field(\.$programme.$id).all()
            .compactMap { call in call.id.map { ($0, call.$programme.id.uuidString.lowercased()) } })
        let reports = Dictionary(firstValues: try await GrantReport.query(on: db).filter(\.$application.$id ~~ grantIDs).all().map { ($0.$application.id, $0) })
        let approved = try await approvalDays(of: grantIDs, on: db)
        for grant in awarded {
            guard let id = grant.id else { continue }
            var sums = PlaceFigures.Grants()
            sums.awarded = 1
            sums.add(ledger: records.ledger(of: grant))
            if let contract = records.contracts[id] {
                sums.contracted = 1
                if [.completed, .closed].contains(grant.status) {
                    sums.finished = 1
                    if let report = reports[id], report.submittedOn <= contract.endsOn { sums.onTime = 1 }
                }
            }
            let programme = programmeOf[grant.$call.id] ?? ""
            figures[grant.$territory.id]?.grantsByProgramme[programme, default: PlaceFigures.Grants()].add(sums)
            if let day = approved[id] ?? grant.submittedAt.map({ Day.today($0) }) {
                figures[grant.$territory.id]?.dated(day) { $0.grantsByProgramme[programme, default: PlaceFigures.Grants()].add(sums) }
            }
        }
        let placeOf = Dictionary(firstValues: awarded.compactMap { grant in grant.id.map { ($0, grant.$territory.id) } })
        let visits = try await GrantVisit.query(on: db).filter(\.$application.$id ~~ grantIDs).field(\.$id).field(\.$application.$id).field(\.$visitedOn).all()
        for visit in visits {
            guard let id = visit.id, let place = placeOf[visit.$application.id] else { continue }
            figures[place]?.latestVisits.append(PlaceFigures.Dated(id: id, day: visit.visitedOn))
        }
    }

    /// The day each grant was first approved, in Bishkek.
    private static func approvalDays(of grants: [UUID], on db: any Database) async throws -> [UUID: Day] {
        let approvals = try await GrantTransition.query(on: db).filter(\.$application.$id ~~ grants).filter(\.$to == GrantStatus.approved)
            .field(\.$application.$id).field(\.$at).all()
        var first: [UUID: Date] = [:]
        for approval in approvals { first[approval.$application.id] = min(first[approval.$application.id] ?? approval.at, approval.at) }
        return first.mapValues { Day.today($0) }
    }
}
