import DemilgeCore
import Fluent
import Foundation

final class EventInvitation: Model, @unchecked Sendable {
    static let schema = "event_invitations"
    @ID(key: .id) var id: UUID?
    @Parent(key: "event_id") var event: Event
    @Parent(key: "territory_id") var territory: Territory
    init() {}
    init(eventID: UUID, territoryID: UUID) {
        $event.id = eventID
        $territory.id = territoryID
    }
}
