import DemilgeCore
import Fluent
import Vapor

/// A needs-assessment session as listed: when, where, how many focus groups and people.
struct SessionRow: Encodable {
    let id: String
    let date: String
    let place: String
    let territory: TerritoryLink
    let groups: Int
    let participants: Int

    static func of(_ session: AssessmentSession, _ req: Request) -> SessionRow {
        SessionRow(id: session.idString, date: session.heldOn.formatted(req.language), place: session.place,
                   territory: TerritoryLink(session.territory, req.language, catalog: req.application.catalog),
                   groups: session.groups.count, participants: session.groups.map(\.participants.total).saturatingSum())
    }
}
