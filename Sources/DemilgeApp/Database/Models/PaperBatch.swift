import DemilgeCore
import Fluent
import Foundation

/// Paper ballots of one meeting, typed in twice; counted only when both entries agree.
final class PaperBatch: Model, @unchecked Sendable {
    static let schema = "paper_batches"

    enum Status: String, StoredState { case awaitingSecond = "awaiting_second", mismatch, counted }

    @ID(key: .id) var id: UUID?
    @Parent(key: "round_id") var round: BudgetRound
    @Field(key: "label") var label: String
    @Field(key: "first_entry") var firstEntry: String
    @OptionalParent(key: "first_by") var firstBy: User?
    @OptionalField(key: "second_entry") var secondEntry: String?
    @OptionalParent(key: "second_by") var secondBy: User?
    @Field(key: "status") var status: Status
    @Field(key: "version") var version: Int
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}
