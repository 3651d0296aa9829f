import DemilgeCore
import Fluent
import Foundation

/// A needs-assessment session (ЖМБА / СИНС) held in a territory on a day.
final class AssessmentSession: Model, @unchecked Sendable {
    static let schema = "assessment_sessions"

    @ID(key: .id) var id: UUID?
    @Parent(key: "territory_id") var territory: Territory
    /// `YYYY-MM-DD`, the day as written in the minutes.
    @Field(key: "held_on") var heldOn: Day
    @Field(key: "place") var place: String
    @Field(key: "facilitators") var facilitators: String
    @Field(key: "notes") var notes: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Children(for: \.$session) var groups: [FocusGroup]

    init() {}

    struct Snapshot: Codable { var territoryID: UUID, heldOn: Day, place: String, facilitators: String }
    var snapshot: Snapshot { Snapshot(territoryID: $territory.id, heldOn: heldOn, place: place, facilitators: facilitators) }
}
