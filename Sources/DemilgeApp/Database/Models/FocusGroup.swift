import DemilgeCore
import Fluent
import Foundation

final class FocusGroup: Model, @unchecked Sendable {
    static let schema = "focus_groups"

    @ID(key: .id) var id: UUID?
    @Parent(key: "session_id") var session: AssessmentSession
    @Field(key: "kind") var kind: FocusGroupKind
    @OptionalField(key: "label") var label: String?
    /// Participants by sex and age band, as JSON of `Participants`.
    @Field(key: "participants") var participantsJSON: JSONText<Participants>
    @Children(for: \.$group) var rankings: [FocusGroupRanking]

    init() {}


    var participants: Participants {
        get { participantsJSON.value }
        set { participantsJSON = JSONText(newValue) }
    }
}
