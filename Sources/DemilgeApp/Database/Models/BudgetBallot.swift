import DemilgeCore
import Fluent
import Foundation

/// A ballot: online (one per voter), from a paper batch, or imported from a pabulib file.
final class BudgetBallot: Model, @unchecked Sendable {
    static let schema = "budget_ballots"

    enum Channel: String { case online, paper, imported }

    @ID(key: .id) var id: UUID?
    @Parent(key: "round_id") var round: BudgetRound
    @OptionalParent(key: "voter_id") var voter: User?
    @Field(key: "channel") var channel: String
    @OptionalParent(key: "batch_id") var batch: PaperBatch?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    @Children(for: \.$ballot) var choices: [BallotChoiceRecord]

    init() {}

    init(roundID: UUID, voterID: UUID?, channel: Channel, batchID: UUID? = nil) {
        self.$round.id = roundID
        self.$voter.id = voterID
        self.channel = channel.rawValue
        self.$batch.id = batchID
    }
}
