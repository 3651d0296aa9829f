import DemilgeCore
import Fluent
import Vapor

/// An event's page: what, when, where and who was invited, the organiser and programme, agenda, outcomes and
/// participants by sex and age.
struct EventPage: Encodable {
    let id: String, title: String, kind: String, heldOn: String, host: TerritoryLink, invited: [TerritoryLink]
    let organiser: String, organiserSlug: String, programme: String, programmeSlug: String
    let agenda: String, outcomes: String, participants: [ParticipantGrid.Row], total: Int, note: String, bands: [String]

    /// The event with its host, invited places, organiser and programme loaded.
    static func build(_ req: Request, _ event: Event) -> EventPage {
        let catalog = req.application.catalog
        return EventPage(
            id: event.idString, title: event.title, kind: req.t(event.kind.catalogKey), heldOn: event.heldOn.formatted(req.language),
            host: TerritoryLink(event.host, req.language, catalog: catalog),
            invited: KyrgyzText.sorted(event.invited, by: { $0.name.text(req.language) }, req.language).map { TerritoryLink($0, req.language, catalog: catalog) },
            organiser: event.organiser?.name.text(req.language) ?? "", organiserSlug: event.organiser?.slug ?? "",
            programme: event.programme?.name.text(req.language) ?? "", programmeSlug: event.programme?.slug ?? "",
            agenda: event.agenda, outcomes: event.outcomes, participants: ParticipantGrid.rows(event.participants, req), total: event.participants.total,
            note: event.participantsNote, bands: AgeBand.allCases.map { req.t($0.catalogKey) })
    }
}
