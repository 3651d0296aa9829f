import DemilgeCore
import Fluent
import Foundation

/// A round's stored outcome (`RoundResult` as JSON), written once when voting ends or a round is imported.
final class RoundResultRecord: Model, @unchecked Sendable {
    static let schema = "round_results"

    @ID(key: .id) var id: UUID?
    @Parent(key: "round_id") var round: BudgetRound
    @Field(key: "result") var resultJSON: String
    @Field(key: "inputs_hash") var inputsHash: String
    @Timestamp(key: "computed_at", on: .create) var computedAt: Date?

    init() {}

    init(roundID: UUID, result: RoundResult) {
        $round.id = roundID
        resultJSON = JSONColumn.encode(result)
        inputsHash = result.inputsHash
    }

    /// The stored result, or nil (and a log line by the caller) when the row cannot be read: never a guess.
    var result: RoundResult? { try? JSONDecoder().decode(RoundResult.self, from: Data(resultJSON.utf8)) }
}

/// What one online voter's share paid for under an equal-shares rule, for their own results page.
final class RoundVoterShare: Model, @unchecked Sendable {
    static let schema = "round_voter_shares"

    @ID(key: .id) var id: UUID?
    @Parent(key: "round_id") var round: BudgetRound
    @Parent(key: "ballot_id") var ballot: BudgetBallot
    @Field(key: "payments") var paymentsJSON: String

    init() {}

    init(roundID: UUID, ballotID: UUID, share: VoterShare) {
        $round.id = roundID
        $ballot.id = ballotID
        paymentsJSON = JSONColumn.encode(share)
    }

    var share: VoterShare? { try? JSONDecoder().decode(VoterShare.self, from: Data(paymentsJSON.utf8)) }
}

/// Secrets the server keeps for itself (e.g. the key that orders ballots in exports), made once per database
/// unless `DEMILGE_SECRET` is set.
final class ServerSecret: Model, @unchecked Sendable {
    static let schema = "server_secrets"

    @ID(custom: "name", generatedBy: .user) var id: String?
    @Field(key: "value") var value: String

    init() {}

    init(name: String, value: String) {
        self.id = name
        self.value = value
    }
}
