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

    /// Counts the round's ballots under its rule and stores the result (replacing an earlier one). The rule runs
    /// outside any transaction; the result is written in one.
    @discardableResult
    static func compute(_ round: BudgetRound, app: Application) async throws -> RoundResult {
        let roundID = try round.requireID()
        let data = try await RoundData.load(round, on: app.db)
        let (result, shares) = RoundResultComputer.compute(
            data.instance, rule: round.outcomeRule, comparison: comparison(for: round.outcomeRule, round.type),
            codes: data.codes, channels: data.ballots.map(\.channel.rawValue))
        let voterShares = shares.compactMap { index, share -> RoundVoterShare? in
            guard data.ballots.indices.contains(index), data.ballots[index].voter != nil else { return nil }
            return RoundVoterShare(roundID: roundID, ballotID: data.ballots[index].id, share: share)
        }
        try await app.write { db in
            try await RoundResultRecord.query(on: db).filter(\.$round.$id == roundID).delete()
            try await RoundVoterShare.query(on: db).filter(\.$round.$id == roundID).delete()
            try await RoundResultRecord(roundID: roundID, result: result).create(on: db)
            for chunk in stride(from: 0, to: voterShares.count, by: 500) {
                try await Array(voterShares[chunk..<min(chunk + 500, voterShares.count)]).create(on: db)
            }
        }
        return result
    }

    static func load(_ roundID: UUID, on db: any Database) async throws -> RoundResult? {
        try await RoundResultRecord.query(on: db).filter(\.$round.$id == roundID).first()?.result
    }

    /// Whether the stored result still matches the ballots (checked before publishing).
    static func isCurrent(_ round: BudgetRound, on db: any Database) async throws -> Bool {
        guard let stored = try await load(try round.requireID(), on: db) else { return false }
        let data = try await RoundData.load(round, on: db)
        return stored.inputsHash == RoundResultComputer.inputsHash(data.instance, rule: round.outcomeRule, codes: data.codes)
    }

    /// Rounds counted or published without a stored result (a database from before results were stored, or a
    /// count interrupted by a restart) get one; run at start-up and after loading demo data.
    static func backfill(_ app: Application) async throws {
        let rounds = try await BudgetRound.query(on: app.db)
            .filter(\.$status ~~ [RoundStatus.counting.rawValue, RoundStatus.published.rawValue]).all()
        let stored = Set(try await RoundResultRecord.query(on: app.db).all().map { $0.$round.id })
        for round in rounds where !stored.contains(try round.requireID()) {
            try await compute(round, app: app)
        }
    }
}
