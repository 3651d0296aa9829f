import DemilgeCore
import Fluent
import Foundation

/// An exchange visit, round table, conference, training or public budget hearing.
final class Event: Model, @unchecked Sendable {
    static let schema = "events"
    @ID(key: .id) var id: UUID?
    @Field(key: "kind") var kind: EventKind
    @Field(key: "title") var title: String
    @Parent(key: "host_territory_id") var host: Territory
    @OptionalParent(key: "organiser_id") var organiser: Organisation?
    @OptionalParent(key: "programme_id") var programme: Programme?
    @Field(key: "held_on") var heldOn: Day
    @Field(key: "agenda") var agenda: String
    @Field(key: "outcomes") var outcomes: String
    @Field(key: "participants") var participantsJSON: JSONText<Participants>
    /// What the sources say when they give no breakdown by sex and age ("more than eighty representatives").
    @Field(key: "participants_note") var participantsNote: String
    @Field(key: "version") var version: Int
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Siblings(through: EventInvitation.self, from: \.$event, to: \.$territory) var invited: [Territory]

    init() {}

    var participants: Participants {
        get { participantsJSON.value }
        set { participantsJSON = JSONText(newValue) }
    }

    struct Snapshot: Codable { var kind: EventKind, title: String, heldOn: Day, hostID: UUID, programmeID: UUID?, participants: String }
    var snapshot: Snapshot { Snapshot(kind: kind, title: title, heldOn: heldOn, hostID: $host.id, programmeID: $programme.id, participants: participantsJSON.auditText) }
}
