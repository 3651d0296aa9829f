import DemilgeCore
import Fluent
import Vapor

struct HomeController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(use: home)
    }

    struct Activity: Encodable {
        let when: String
        let what: String
        let href: String?
        let name: DisplayText?
    }

    struct Content: Encodable {
        let programmes: [ProgrammeSummary]
        let activity: [Activity]
        let territoryCount: String
        let organisationCount: String
        let granteeCount: String
    }

    /// Public events shown as activity; user, role, support and comment events are not.
    static let publicActions = ["territory.create", "territory.update", "organisation.create", "organisation.update", "programme.create",
                                "grantee.create", "problem.raise", "problem.status", "assessment.create", "commission.create",
                                "commission.decision", "group.create", "grant_call.open", "grant_call.decided", "grant.contracted",
                                "grant.visit", "grant.report", "grant.closed", "event.create", "practice.publish"]

    func home(req: Request) async throws -> Response {
        let language = req.language
        let entries = try await AuditEntry.query(on: req.db).filter(\.$action ~~ Self.publicActions).sort(\.$id, .descending).limit(20).all()
        func ids(_ type: String) -> [String] { entries.filter { $0.entityType == type }.map(\.entityID) }
        func uuids(_ type: String) -> [UUID] { ids(type).compactMap { UUID(uuidString: $0) } }
        var names: [String: (href: String, name: DisplayText)] = [:]
        for t in try await Territory.query(on: req.db).filter(\.$code ~~ ids("territory")).all() { names["territory:\(t.code)"] = (SitePath.territory(t.code).path, t.name.display(language)) }
        for o in try await Organisation.query(on: req.db).filter(\.$slug ~~ ids("organisation")).all() { names["organisation:\(o.slug)"] = (SitePath.organisation(o.slug).path, o.name.display(language)) }
        for p in try await Programme.query(on: req.db).filter(\.$slug ~~ ids("programme")).all() { names["programme:\(p.slug)"] = (SitePath.programme(p.slug).path, p.name.display(language)) }
        for p in try await Problem.query(on: req.db).filter(\.$id ~~ uuids("problem")).filter(\.$hidden == false).all() {
            names["problem:\(p.idString)"] = (SitePath.problem(p.id).path, DisplayText(text: p.title, lang: nil))
        }
        for a in try await AssessmentSession.query(on: req.db).filter(\.$id ~~ uuids("assessment")).with(\.$territory).all() {
            names["assessment:\(a.idString)"] = (SitePath.assessment(a.id).path, a.territory.name.display(language))
        }
        for c in try await Commission.query(on: req.db).filter(\.$id ~~ uuids("commission")).all() {
            names["commission:\(c.idString)"] = (SitePath.commission(c.id).path, DisplayText(text: c.name, lang: nil))
        }
        for g in try await InitiativeGroup.query(on: req.db).filter(\.$id ~~ uuids("group")).all() {
            names["group:\(g.idString)"] = (SitePath.group(g.id).path, DisplayText(text: g.name, lang: nil))
        }
        for c in try await GrantCall.query(on: req.db).filter(\.$id ~~ uuids("grant_call")).all() {
            names["grant_call:\(GrantDisplay.id(c))"] = (SitePath.call(c.id).path, DisplayText(text: c.title, lang: nil))
        }
        for a in try await GrantApplication.query(on: req.db).filter(\.$id ~~ uuids("grant_application")).all() {
            names["grant_application:\(GrantDisplay.id(a))"] = (SitePath.application(a.id).path, DisplayText(text: a.title, lang: nil))
        }
        for e in try await Event.query(on: req.db).filter(\.$id ~~ uuids("event")).all() {
            names["event:\(GrantDisplay.id(e))"] = (SitePath.event(e.id).path, DisplayText(text: e.title, lang: nil))
        }
        for p in try await Practice.query(on: req.db).filter(\.$id ~~ uuids("practice")).all() {
            names["practice:\(GrantDisplay.id(p))"] = (SitePath.practice(p.id).path, DisplayText(text: p.title, lang: nil))
        }
        // An entry whose subject is no longer public (a hidden problem) is left out.
        let activity = entries.compactMap { entry -> Activity? in
            guard let subject = names["\(entry.entityType):\(entry.entityID)"] else { return nil }
            return Activity(when: Formatters.dateTime(Date(timeIntervalSince1970: Double(entry.atMillis) / 1000), language),
                            what: req.t("activity.\(entry.action)"), href: subject.href, name: subject.name)
        }
        return try await req.page("home/index", titleKey: "home.title", Content(
            programmes: try await ProgrammeSummary.all(on: req),
            activity: activity,
            territoryCount: Formatters.integer(Int64(try await Territory.query(on: req.db).count()), language),
            organisationCount: Formatters.integer(Int64(try await Organisation.query(on: req.db).count()), language),
            granteeCount: Formatters.integer(Int64(try await ProgrammeGrantee.query(on: req.db).count()), language)))
    }
}
