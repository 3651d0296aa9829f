import DemilgeCore
import Fluent
import SQLKit
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

    /// What is open where the visitor lives, once they chose the place; the choice narrows from the oblast down.
    let place: MyPlace?
    let placeChoices: [PlaceGroup]
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

    /// The latest public audit entries: the latest few of each public action by the (action, sequence) index, merged.
    /// A single `action IN (…) ORDER BY sequence` would walk back over every ballot and support since the last public one.
    static func latestPublicEntries(_ count: Int, on db: any Database) async throws -> [AuditEntry] {
        guard let sql = db as? any SQLDatabase else { return [] }
        var query = SQLQueryString("SELECT sequence FROM (")
        for (index, action) in publicActions.enumerated() {
            if index > 0 { query.appendLiteral(" UNION ALL ") }
            query.appendLiteral("SELECT * FROM (SELECT sequence FROM audit_entries WHERE action = ")
            query.appendInterpolation(bind: action)
            query.appendLiteral(" ORDER BY sequence DESC LIMIT \(count)) AS a\(index)")
        }
        query.appendLiteral(") AS latest ORDER BY sequence DESC LIMIT \(count)")
        struct Row: Decodable { let sequence: Int64 }
        let sequences = try await sql.raw(query).all(decoding: Row.self).map(\.sequence)
        guard !sequences.isEmpty else { return [] }
        return try await AuditEntry.query(on: db).filter(\.$id ~~ sequences).sort(\.$id, .descending).all()
    }

    static func build(_ req: Request) async throws -> HomePage {
        let language = req.language
        let chosen = try await MyPlace.chosen(req)
        async let place = chosen.asyncMap { try await MyPlace.load($0, req) }
        async let choices = PlaceGroup.narrowing(req, selected: chosen?.code ?? "")
        async let programmes = ProgrammeSummary.all(on: req)
        async let territories = Territory.query(on: req.db).count()
        async let organisations = Organisation.query(on: req.db).count()
        async let grantees = ProgrammeGrantee.query(on: req.db).count()
        let entries = try await latestPublicEntries(20, on: req.db)
        let names = try await ActivitySubjects.load(entries, req)
        // An entry whose subject is no longer public (a hidden problem) is left out.
        let activity = entries.compactMap { entry -> Activity? in
            guard let subject = names["\(entry.entityType):\(entry.entityID)"] else { return nil }
            return Activity(when: Formatters.dateTime(Date(millis: entry.atMillis), language),
                            what: req.t("activity.\(entry.action)"), href: subject.href, name: subject.name)
        }
        return HomePage(
            place: try await place, placeChoices: try await choices,
            programmes: try await programmes, activity: activity,
            territoryCount: Formatters.integer(Int64(try await territories), language),
            organisationCount: Formatters.integer(Int64(try await organisations), language),
            granteeCount: Formatters.integer(Int64(try await grantees), language))
    }
}
