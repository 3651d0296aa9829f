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
        let programmes: [ProgrammeController.Summary]
        let activity: [Activity]
        let territoryCount: String
        let organisationCount: String
        let granteeCount: String
    }

    /// Entity types whose changes are public; user and role changes are not shown here.
    static let publicEntityTypes = ["territory", "organisation", "programme"]

    func home(req: Request) async throws -> Response {
        let language = req.language
        let entries = try await AuditEntry.query(on: req.db).filter(\.$entityType ~~ Self.publicEntityTypes)
            .sort(\.$id, .descending).limit(8).all()
        let territories = try await Territory.query(on: req.db).filter(\.$code ~~ entries.filter { $0.entityType == "territory" }.map(\.entityID)).all()
        let organisations = try await Organisation.query(on: req.db).filter(\.$slug ~~ entries.filter { $0.entityType == "organisation" }.map(\.entityID)).all()
        let programmes = try await Programme.query(on: req.db).filter(\.$slug ~~ entries.filter { $0.entityType == "programme" }.map(\.entityID)).all()
        let activity = entries.map { entry -> Activity in
            let when = Formatters.dateTime(Date(timeIntervalSince1970: Double(entry.atMillis) / 1000), language)
            let what = req.t("activity.\(entry.action)")
            switch entry.entityType {
            case "territory":
                return Activity(when: when, what: what, href: "/territories/\(entry.entityID)",
                                name: territories.first { $0.code == entry.entityID }?.name.display(language))
            case "organisation":
                return Activity(when: when, what: what, href: "/organisations/\(entry.entityID)",
                                name: organisations.first { $0.slug == entry.entityID }?.name.display(language))
            default:
                return Activity(when: when, what: what, href: "/programmes/\(entry.entityID)",
                                name: programmes.first { $0.slug == entry.entityID }?.name.display(language))
            }
        }
        return try await req.page("home/index", titleKey: "home.title", Content(
            programmes: try await ProgrammeController.summaries(on: req),
            activity: activity,
            territoryCount: Formatters.integer(Int64(try await Territory.query(on: req.db).count()), language),
            organisationCount: Formatters.integer(Int64(try await Organisation.query(on: req.db).count()), language),
            granteeCount: Formatters.integer(Int64(try await ProgrammeGrantee.query(on: req.db).count()), language)))
    }
}
