import DemilgeCore
import Fluent
import Foundation

/// A needs-assessment session (ЖМБА / СИНС) held in a territory on a day.
final class AssessmentSession: Model, @unchecked Sendable {
    static let schema = "assessment_sessions"

    @ID(key: .id) var id: UUID?
    @Parent(key: "territory_id") var territory: Territory
    /// `YYYY-MM-DD`, the day as written in the minutes.
    @Field(key: "held_on") var heldOn: String
    @Field(key: "place") var place: String
    @Field(key: "facilitators") var facilitators: String
    @Field(key: "notes") var notes: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Children(for: \.$session) var groups: [FocusGroup]

    init() {}

    struct Snapshot: Codable { var territoryID: UUID, heldOn: String, place: String, facilitators: String }
    var snapshot: Snapshot { Snapshot(territoryID: $territory.id, heldOn: heldOn, place: place, facilitators: facilitators) }
}

final class FocusGroup: Model, @unchecked Sendable {
    static let schema = "focus_groups"

    @ID(key: .id) var id: UUID?
    @Parent(key: "session_id") var session: AssessmentSession
    @Field(key: "kind") var kind: String
    @OptionalField(key: "label") var label: String?
    /// Participants by sex and age band, as JSON of `Participants`.
    @Field(key: "participants") var participantsJSON: String
    @Children(for: \.$group) var rankings: [FocusGroupRanking]

    init() {}

    var groupKind: FocusGroupKind { FocusGroupKind(rawValue: kind) ?? .custom }

    var participants: Participants {
        get { (try? JSONDecoder().decode(Participants.self, from: Data(participantsJSON.utf8))) ?? Participants() }
        set { participantsJSON = String(decoding: (try? JSONEncoder().encode(newValue)) ?? Data("{}".utf8), as: UTF8.self) }
    }
}

/// One problem's place in one focus group's ranking; equal places are ties.
final class FocusGroupRanking: Model, @unchecked Sendable {
    static let schema = "focus_group_rankings"

    @ID(key: .id) var id: UUID?
    @Parent(key: "group_id") var group: FocusGroup
    @Parent(key: "problem_id") var problem: Problem
    @Field(key: "place") var place: Int

    init() {}

    init(groupID: UUID, problemID: UUID, place: Int) {
        $group.id = groupID
        $problem.id = problemID
        self.place = place
    }
}
