import DemilgeCore
import Fluent
import Vapor

/// Computes a round's result once — when it leaves voting, or when it is imported — and keeps it, with each
/// online voter's share of an equal-shares outcome. Pages and exports read what is stored; a GET never runs a rule.
enum RoundResultStore {
    /// The rule people compare with: equal shares for greedy rounds, greedy for equal-shares ones.
    static func comparison(for rule: BudgetingRule, _ type: BallotType) -> BudgetingRule {
        if rule.isEqualShares { return type == .cumulative && rule == .mesAdditiveCardinalSat ? .greedyPoints : .greedyCostSat }
        return type == .cumulative && rule == .greedyPoints ? .mesAdditiveCardinalSat : .mesCostSatAddOneGreedy
    }

    /// A round counted but not yet stored: the result and each online voter's share, by ballot.
    struct Counted: Sendable {
        let roundID: UUID
        let result: RoundResult
        let shares: [(ballot: UUID, share: VoterShare)]
    }

    /// Counts the round's ballots under its rule (outside any transaction). Throws `RuleTooLarge` when the rule
    /// cannot be computed within its bound: the caller refuses the step that needed it.
    static func count(_ round: BudgetRound, on db: any Database, maximumAddOneRuns: Int) async throws -> Counted {
        let data = try await RoundData.load(round, on: db)
        let (result, shares) = try RoundResultComputer.compute(
            data.instance, rule: round.rule, comparison: comparison(for: round.rule, round.type),
            codes: data.codes, channels: data.ballots.map(\.channel.rawValue), maximumAddOneRuns: maximumAddOneRuns)
        let voterShares = shares.compactMap { index, share -> (ballot: UUID, share: VoterShare)? in
            guard data.ballots.indices.contains(index), data.ballots[index].voter != nil else { return nil }
            return (data.ballots[index].id, share)
        }
        return Counted(roundID: try round.requireID(), result: result, shares: voterShares)
    }

    /// Keeps a count as the round's result (replacing an earlier one), in one transaction.
    static func store(_ counted: Counted, app: Application) async throws {
        let roundID = counted.roundID
        let rows = try counted.shares.map { try RoundVoterShare(roundID: roundID, ballotID: $0.ballot, share: $0.share) }
        try await app.write { db in
            try await RoundResultRecord.query(on: db).filter(\.$round.$id == roundID).delete()
            try await RoundVoterShare.query(on: db).filter(\.$round.$id == roundID).delete()
            try await (try RoundResultRecord(roundID: roundID, result: counted.result)).create(on: db)
            try await rows.create(on: db, batchesOf: 500)
        }
    }

    /// Counts and stores.
    @discardableResult
    static func compute(_ round: BudgetRound, app: Application) async throws -> RoundResult {
        let counted = try await count(round, on: app.db, maximumAddOneRuns: app.maximumAddOneRuns)
        try await store(counted, app: app)
        return counted.result
    }

    /// Stores `counted` if the ballots are still what it counted, else counts again.
    static func storeIfCurrent(_ counted: Counted, _ round: BudgetRound, app: Application) async throws {
        let data = try await RoundData.load(round, on: app.db)
        if counted.result.inputsHash == RoundResultComputer.inputsHash(data.instance, rule: round.rule, codes: data.codes) {
            try await store(counted, app: app)
        } else {
            try await compute(round, app: app)
        }
    }

    static func load(_ roundID: UUID, on db: any Database) async throws -> RoundResult? {
        try await RoundResultRecord.query(on: db).filter(\.$round.$id == roundID).first()?.result
    }

    /// Whether the stored result still matches the ballots (checked before publishing).
    static func isCurrent(_ round: BudgetRound, on db: any Database) async throws -> Bool {
        guard let stored = try await load(try round.requireID(), on: db) else { return false }
        let data = try await RoundData.load(round, on: db)
        return stored.inputsHash == RoundResultComputer.inputsHash(data.instance, rule: round.rule, codes: data.codes)
    }

    /// Rounds counted or published without a stored result (a database from before results were stored, or a
    /// count interrupted by a restart) get one; run at start-up and after loading demo data.
    static func backfill(_ app: Application) async throws {
        let rounds = try await BudgetRound.query(on: app.db)
            .filter(\.$status ~~ [RoundStatus.counting, .published]).all()
        let stored = Set(try await RoundResultRecord.query(on: app.db).all().map { $0.$round.id })
        for round in rounds where !stored.contains(try round.requireID()) {
            do { try await compute(round, app: app) } catch let tooLarge as RuleTooLarge {
                app.logger.warning("round \(round.idString) cannot be counted under \(tooLarge.rule.rawValue) within \(tooLarge.runs) add-one runs")
            }
        }
    }
}
