import DemilgeCore
import Fluent
import Vapor

struct OrganisationLink: Encodable {
    let slug: String
    let name: DisplayText
    let kind: String
    let legalForm: String?

    init(_ organisation: Organisation, _ language: Language, catalog: Catalog) {
        slug = organisation.slug
        name = organisation.name.display(language)
        kind = catalog.text(organisation.kind.catalogKey, language)
        legalForm = organisation.legalForm.flatMap(LegalForm.init(rawValue:)).map { catalog.text($0.catalogKey + ".short", language) }
    }

    static func sorted(_ organisations: [Organisation], _ language: Language, catalog: Catalog) -> [OrganisationLink] {
        KyrgyzText.sorted(organisations, by: { $0.name.text(language) }, language).map { OrganisationLink($0, language, catalog: catalog) }
    }
}

struct OrganisationController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("organisations", use: index)
        routes.get("organisations", ":slug", use: show)
    }

    func index(req: Request) async throws -> Response {
        try await req.page("organisations/index", titleKey: "organisations.title", try await OrganisationListPage.build(req))
    }

    func show(req: Request) async throws -> Response {
        guard let slug = req.parameters.get("slug"),
              let organisation = try await Organisation.query(on: req.db).filter(\.$slug == slug).first() else { throw DemilgeError.notFound }
        return try await req.page("organisations/show", titleKey: "", try await OrganisationPage.build(req, organisation), title: organisation.name.text(req.language))
    }
}
