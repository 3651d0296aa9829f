import DemilgeCore
import Fluent
import Vapor

/// What the audit entries on the home page are about: a link and a name per "type:id", read with one query per kind
/// of record (all at once), whatever the number of entries. A subject that is not public (a hidden problem) is absent.
enum ActivitySubjects {
    typealias Subject = (href: String, name: DisplayText)

    static func load(_ entries: [AuditEntry], _ req: Request) async throws -> [String: Subject] {
        let language = req.language, db = req.db
        func ids(_ type: String) -> [String] { entries.filter { $0.entityType == type }.map(\.entityID) }
        func uuids(_ type: String) -> [UUID] { ids(type).compactMap { UUID(uuidString: $0) } }
        func plain(_ text: String) -> DisplayText { DisplayText(text: text, lang: nil) }
        async let territories = Territory.query(on: db).filter(\.$code ~~ ids("territory")).all()
            .map { ("territory:\($0.code)", (SitePath.territory($0.code).path, $0.name.display(language))) }
        async let organisations = Organisation.query(on: db).filter(\.$slug ~~ ids("organisation")).all()
            .map { ("organisation:\($0.slug)", (SitePath.organisation($0.slug).path, $0.name.display(language))) }
        async let programmes = Programme.query(on: db).filter(\.$slug ~~ ids("programme")).all()
            .map { ("programme:\($0.slug)", (SitePath.programme($0.slug).path, $0.name.display(language))) }
        async let problems = Problem.query(on: db).filter(\.$id ~~ uuids("problem")).filter(\.$hidden == false).all()
            .map { ("problem:\($0.idString)", (SitePath.problem($0.id).path, plain($0.title))) }
        async let sessions = AssessmentSession.query(on: db).filter(\.$id ~~ uuids("assessment")).with(\.$territory).all()
            .map { ("assessment:\($0.idString)", (SitePath.assessment($0.id).path, $0.territory.name.display(language))) }
        async let commissions = Commission.query(on: db).filter(\.$id ~~ uuids("commission")).all()
            .map { ("commission:\($0.idString)", (SitePath.commission($0.id).path, plain($0.name))) }
        async let groups = InitiativeGroup.query(on: db).filter(\.$id ~~ uuids("group")).all()
            .map { ("group:\($0.idString)", (SitePath.group($0.id).path, plain($0.name))) }
        async let calls = GrantCall.query(on: db).filter(\.$id ~~ uuids("grant_call")).all()
            .map { ("grant_call:\($0.idString)", (SitePath.call($0.id).path, plain($0.title))) }
        async let applications = GrantApplication.query(on: db).filter(\.$id ~~ uuids("grant_application")).all()
            .map { ("grant_application:\($0.idString)", (SitePath.application($0.id).path, plain($0.title))) }
        async let events = Event.query(on: db).filter(\.$id ~~ uuids("event")).all()
            .map { ("event:\($0.idString)", (SitePath.event($0.id).path, plain($0.title))) }
        async let practices = Practice.query(on: db).filter(\.$id ~~ uuids("practice")).all()
            .map { ("practice:\($0.idString)", (SitePath.practice($0.id).path, plain($0.title))) }
        let all: [(String, Subject)] = try await territories + organisations + programmes + problems + sessions + commissions + groups
            + calls + applications + events + practices
        return Dictionary(firstValues: all)
    }
}
