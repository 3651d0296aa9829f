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

    init(roundID: UUID, result: RoundResult) throws {
        $round.id = roundID
        resultJSON = try JSONText(result).text()
        inputsHash = result.inputsHash
    }

    /// The stored result, or nil (and a log line by the caller) when the row cannot be read: never a guess.
    var result: RoundResult? { try? JSONDecoder().decode(RoundResult.self, from: Data(resultJSON.utf8)) }
}
