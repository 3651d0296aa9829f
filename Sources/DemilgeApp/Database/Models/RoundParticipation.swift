import DemilgeCore
import Fluent
import Foundation

/// That a person took part in a round, online or at the paper desk: one row per round and ПИН hash, so a second
/// account of the same person, or a person who voted on paper, cannot vote again. It keeps the person's sex and age
/// band for the turnout table, never who they are or what they chose; it outlives a replaced roll.
final class RoundParticipation: Model, @unchecked Sendable {
    static let schema = "round_participations"

    enum Channel: String, StoredState { case online, paper }

    @ID(key: .id) var id: UUID?
    @Parent(key: "round_id") var round: BudgetRound
    @Field(key: "pin_hash") var pinHash: String
    @Field(key: "channel") var channel: Channel
    @OptionalField(key: "sex") var sex: String?
    @OptionalField(key: "age_band") var ageBand: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(roundID: UUID, pinHash: String, channel: Channel, entry: ResidentEntry, on day: Day) {
        self.$round.id = roundID
        self.pinHash = pinHash
        self.channel = channel
        self.sex = entry.sex
        self.ageBand = entry.birth(today: day)?.ageBand(on: day).rawValue
    }
}
