import DemilgeCore
import Fluent
import Foundation

/// What one online voter's share paid for under an equal-shares rule, for their own results page.
final class RoundVoterShare: Model, @unchecked Sendable {
    static let schema = "round_voter_shares"

    @ID(key: .id) var id: UUID?
    @Parent(key: "round_id") var round: BudgetRound
    @Parent(key: "ballot_id") var ballot: BudgetBallot
    @Field(key: "payments") var paymentsJSON: String

    init() {}

    init(roundID: UUID, ballotID: UUID, share: VoterShare) throws {
        $round.id = roundID
        $ballot.id = ballotID
        paymentsJSON = try JSONText(share).text()
    }

    var share: VoterShare? { try? JSONDecoder().decode(VoterShare.self, from: Data(paymentsJSON.utf8)) }
}
