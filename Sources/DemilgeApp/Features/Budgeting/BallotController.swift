import DemilgeCore
import Fluent
import SQLKit
import Vapor

/// A resident's online ballot: read, checked against the round's design, and stored (or replaced) while the round is open.
struct BallotController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.post("rounds", ":id", "ballot", use: vote)
    }

    struct DuplicateBallot: Error {}
    struct VotingClosed: Error {}
    /// The person behind this account voted already: on paper at the desk, or online from another account.
    struct PersonVoted: Error { let channel: RoundParticipation.Channel }
    struct NotVerified: Error {}

    /// Reads the ballot form: ticked projects (`choice[]`), or points per project (`points_<code>`).
    static func readBallot(_ req: Request, _ data: RoundData) -> (choices: [BallotChoice], unreadable: Bool) {
        if data.round.type == .cumulative {
            var choices: [BallotChoice] = []
            var unreadable = false
            for (index, code) in data.codes.enumerated() {
                let text = (req.formFields["points_\(code)"] ?? "").trimmingCharacters(in: .whitespaces)
                if text.isEmpty || text == "0" { continue }
                if let points = BoundedInt.parse(text, in: BallotDesign.pointsRange) { choices.append(BallotChoice(project: index, points: points)) } else { unreadable = true }
            }
            return (choices, unreadable)
        }
        let ticked = Set((try? req.content.get([String].self, at: "choice")) ?? [])
        return (data.codes.enumerated().filter { ticked.contains($0.element) }.map { BallotChoice(project: $0.offset) }, false)
    }

    static func describe(_ problem: BallotProblem, _ req: Request) -> String {
        switch problem {
        case .empty: req.t("ballot.empty")
        case .duplicate: req.t("ballot.duplicate_choice")
        case .tooFew(let minimum): req.t("ballot.too_few", ["count": String(minimum)])
        case .tooMany(let maximum): req.t("ballot.too_many", ["count": String(maximum)])
        case .overEnvelope(let chosen, let envelope):
            req.t("ballot.over_envelope", ["chosen": Money(minorUnits: chosen).formatted(req.language), "envelope": Money(minorUnits: envelope).formatted(req.language),
                                           "over": Money(minorUnits: chosen.saturatingSubtracting(envelope)).formatted(req.language)])
        case .pointsNotDistributed(let expected, let given): req.t("ballot.points_total", ["expected": String(expected), "given": String(given)])
        case .pointsNotPositive: req.t("ballot.points_positive")
        }
    }

    func vote(req: Request) async throws -> Response {
        let round = try await RoundAccess.load(req)
        let user = try req.requireUser()
        let data = try await RoundData.load(round, on: req.db, ballots: .none, problems: false)
        let (choices, unreadable) = Self.readBallot(req, data)
        guard round.isOpen(on: Day.today()) else {
            return try await BudgetRoundController.render(req, round, ballot: choices, ballotErrors: [req.t("ballot.closed")], status: .conflict)
        }
        if let reason = try await RoundAccess.eligibility(req, round) {
            return try await BudgetRoundController.render(req, round, ballot: choices,
                                    ballotErrors: [req.t(reason, ["territory": round.territory.name.display(req.language).text])], status: .forbidden)
        }
        var errors = data.round.design.problems(choices, costs: data.costs).map { Self.describe($0, req) }
        if unreadable { errors.insert(req.t("ballot.points_unreadable"), at: 0) }
        guard errors.isEmpty else { return try await BudgetRoundController.render(req, round, ballot: choices, ballotErrors: errors, status: .unprocessableEntity) }
        let roundID = (try round.requireID()), userID = (try user.requireID())
        let projectIDs = try data.projects.map { try $0.requireID() }
        let places = try await req.territoryDirectory().subtree(of: round.$territory.id)
        do {
            let changed = try await req.write { db -> Bool in
                // Under the round's lock: a ballot either lands before voting closes or finds it closed.
                guard let current = try await RowLock.lockAndRead(BudgetRound.self, id: roundID, on: db),
                      current.isOpen(on: Day.today()) else { throw VotingClosed() }
                let existing = try await BudgetBallot.query(on: db).filter(\.$round.$id == roundID).filter(\.$voter.$id == userID).first()
                if existing == nil {
                    try await Self.recordPerson(userID, in: current, places: places, on: db)
                    try await Notifier.follow(userID, .round, roundID, automatic: true, on: db)
                }
                let ballot = existing ?? BudgetBallot(roundID: roundID, voterID: userID, channel: .online)
                if let existing {
                    // Touching the row first locks it (PostgreSQL): a concurrent change waits, then
                    // replaces these choices instead of adding its own beside them.
                    try await (db as? any SQLDatabase)?.update(BudgetBallot.schema).set("updated_at", to: Date())
                        .where("id", .equal, try existing.requireID()).run()
                    try await BallotChoiceRecord.query(on: db).filter(\.$ballot.$id == (try existing.requireID())).delete()
                } else {
                    do { try await ballot.create(on: db) } catch let error as any DatabaseError where error.isConstraintFailure { throw DuplicateBallot() }
                }
                let ballotID = try ballot.requireID()
                // One statement for the whole ballot: each round trip waits its turn while the site is busy.
                try await choices.map { BallotChoiceRecord(ballotID: ballotID, projectID: projectIDs[$0.project], points: $0.points) }.create(on: db)
                // The audit log records that a ballot was cast or changed, never what it says.
                try await AuditLog.record(on: db, by: req.auditActor, action: existing == nil ? "ballot.cast" : "ballot.change", entityType: "round",
                                          entityID: roundID.uuidString.lowercased())
                return existing != nil
            }
            ServiceMetrics.ballots.increment()
            req.flash(user.emailConfirmedMillis == nil ? "ballot.stored_until_confirmed" : (changed ? "ballot.changed" : "ballot.cast"))
        } catch is DuplicateBallot {
            return try await BudgetRoundController.render(req, round, ballot: choices, ballotErrors: [req.t("ballot.already_cast")], status: .conflict)
        } catch let voted as PersonVoted {
            return try await BudgetRoundController.render(req, round, ballot: choices,
                                                          ballotErrors: [req.t(voted.channel == .paper ? "ballot.person_voted_paper" : "ballot.person_voted_online")], status: .conflict)
        } catch is NotVerified {
            return try await BudgetRoundController.render(req, round, ballot: choices, ballotErrors: [req.t("rounds.verify_to_vote")], status: .forbidden)
        } catch is VotingClosed {
            return try await BudgetRoundController.render(req, try await RoundAccess.load(req), ballot: choices, ballotErrors: [req.t("ballot.closed")], status: .conflict)
        }
        return req.redirect(to: .round(round.id), anchor: "ballot")
    }

    /// Inside the ballot's transaction, for a first ballot: the voter's person takes part once in the round (a
    /// verified round refuses an account that is not verified there; a self-declared one records verified voters).
    static func recordPerson(_ userID: UUID, in round: BudgetRound, places: Set<UUID>, on db: any Database) async throws {
        let roundID = try round.requireID()
        guard let resident = try await VerifiedResident.of(userID, on: db), resident.livesIn(places) else {
            if round.eligibility == .verified { throw NotVerified() }
            return
        }
        let pinHash = resident.entry.pinHash
        if let earlier = try await RoundParticipation.query(on: db).filter(\.$round.$id == roundID).filter(\.$pinHash == pinHash).first() {
            throw PersonVoted(channel: earlier.channel)
        }
        do {
            try await RoundParticipation(roundID: roundID, pinHash: pinHash, channel: .online, entry: resident.entry, on: Day.today()).create(on: db)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw PersonVoted(channel: .online)
        }
    }
}
