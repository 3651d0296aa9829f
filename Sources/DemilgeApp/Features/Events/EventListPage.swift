import DemilgeCore
import Fluent
import Vapor

/// Every event (trainings, forums, exchange visits…), newest first, or those of one kind.
struct EventListPage: Encodable {
    struct Row: Encodable {
        let id: String, title: String, kind: String, heldOn: String, host: TerritoryLink, invited: Int, participants: String
    }

    let events: [Row]
    let kinds: [Option]
    let canCreate: Bool
    let kind: String

    static func build(_ req: Request, kind: String) async throws -> EventListPage {
        let query = Event.query(on: req.db).with(\.$host).with(\.$invited).sort(\.$heldOn, .descending)
        if let kind = EventKind(rawValue: kind) { query.filter(\.$kind == kind) }
        return EventListPage(
            events: try await query.all().map { e in
                Row(id: e.idString, title: e.title, kind: req.t(e.kind.catalogKey), heldOn: e.heldOn.formatted(req.language),
                    host: TerritoryLink(e.host, req.language, catalog: req.application.catalog), invited: e.invited.count,
                    participants: participantsText(e))
            },
            kinds: EventKind.allCases.map { Option(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0.rawValue == kind) },
            canCreate: Policy.allowsSomewhere(req.actor, .recordEvent), kind: kind)
    }

    /// How many took part, or the organiser's note when the count by sex and age was not kept.
    static func participantsText(_ event: Event) -> String {
        let total = event.participants.total
        if total > 0 { return String(total) }
        return event.participantsNote.isEmpty ? "—" : event.participantsNote
    }
}
