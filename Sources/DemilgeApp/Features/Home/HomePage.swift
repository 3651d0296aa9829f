import DemilgeCore
import Fluent
import Vapor

/// The home page: the programmes, the latest public activity with links to what it is about, and the size of the
/// directory. The queries are independent and run at once.
struct HomePage: Encodable {
    struct Activity: Encodable {
        let when: String
        let what: String
        let href: String?
        let name: DisplayText?
    }

    let programmes: [ProgrammeSummary]
    let activity: [Activity]
    let territoryCount: String
    let organisationCount: String
    let granteeCount: String

    /// Public events shown as activity; user, role, support and comment events are not.
    static let publicActions = ["territory.create", "territory.update", "organisation.create", "organisation.update", "programme.create",
                                "grantee.create", "problem.raise", "problem.status", "assessment.create", "commission.create",
                                "commission.decision", "group.create", "grant_call.open", "grant_call.decided", "grant.contracted",
                                "grant.visit", "grant.report", "grant.closed", "event.create", "practice.publish"]

    static func build(_ req: Request) async throws -> HomePage {
        let language = req.language
        async let programmes = ProgrammeSummary.all(on: req)
        async let territories = Territory.query(on: req.db).count()
        async let organisations = Organisation.query(on: req.db).count()
        async let grantees = ProgrammeGrantee.query(on: req.db).count()
        let entries = try await AuditEntry.query(on: req.db).filter(\.$action ~~ publicActions).sort(\.$id, .descending).limit(20).all()
        let names = try await ActivitySubjects.load(entries, req)
        // An entry whose subject is no longer public (a hidden problem) is left out.
        let activity = entries.compactMap { entry -> Activity? in
            guard let subject = names["\(entry.entityType):\(entry.entityID)"] else { return nil }
            return Activity(when: Formatters.dateTime(Date(timeIntervalSince1970: Double(entry.atMillis) / 1000), language),
                            what: req.t("activity.\(entry.action)"), href: subject.href, name: subject.name)
        }
        return HomePage(
            programmes: try await programmes, activity: activity,
            territoryCount: Formatters.integer(Int64(try await territories), language),
            organisationCount: Formatters.integer(Int64(try await organisations), language),
            granteeCount: Formatters.integer(Int64(try await grantees), language))
    }
}
