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

    struct IndexContent: Encodable {
        struct KindOption: Encodable { let value: String; let label: String; let selected: Bool }
        let kinds: [KindOption]
        let organisations: [OrganisationLink]
        let canManage: Bool
    }

    func index(req: Request) async throws -> Response {
        let language = req.language
        let catalog = req.application.catalog
        let selected = (try? req.query.get(String.self, at: "kind")).flatMap(OrganisationKind.init(rawValue:))
        var query = Organisation.query(on: req.db)
        if let selected { query = query.filter(\.$kind == selected) }
        let organisations = try await query.all()
        return try await req.page("organisations/index", titleKey: "organisations.title", IndexContent(
            kinds: OrganisationKind.allCases.map { .init(value: $0.rawValue, label: catalog.text($0.catalogKey, language), selected: $0 == selected) },
            organisations: OrganisationLink.sorted(organisations, language, catalog: catalog),
            canManage: req.can(.manageOrganisations)))
    }

    struct ShowContent: Encodable {
        struct Role: Encodable { let label: String; let programmes: [ProgrammeLink] }
        struct Project: Encodable { let programme: ProgrammeLink; let title: DisplayText; let goal: DisplayText }
        let organisation: OrganisationLink
        let legalFormLong: String?
        let place: String?
        let territoryPath: [TerritoryLink]
        let website: String?
        let roles: [Role]
        let projects: [Project]
        let canManage: Bool
    }

    func show(req: Request) async throws -> Response {
        guard let slug = req.parameters.get("slug"),
              let organisation = try await Organisation.query(on: req.db).filter(\.$slug == slug).first(),
              let id = organisation.id else { throw DemilgeError.notFound }
        let language = req.language
        let catalog = req.application.catalog
        let directory = try await TerritoryDirectory.load(on: req.db)
        let programmes = try await Programme.query(on: req.db).all()
        let partnerOf = Set(try await ProgrammePartner.query(on: req.db).filter(\.$organisation.$id == id).all().map(\.$programme.id))
        let grants = try await ProgrammeGrantee.query(on: req.db).filter(\.$organisation.$id == id).with(\.$programme).all()

        func links(_ include: (Programme) -> Bool) -> [ProgrammeLink] {
            programmes.filter(include).map { ProgrammeLink($0, language) }
        }
        let roles: [ShowContent.Role] = [
            .init(label: catalog.text("organisation.role.donor", language), programmes: links { $0.$donor.id == id }),
            .init(label: catalog.text("organisation.role.implementer", language), programmes: links { $0.$implementer.id == id }),
            .init(label: catalog.text("organisation.role.partner", language), programmes: links { $0.id.map(partnerOf.contains) ?? false }),
        ].filter { !$0.programmes.isEmpty }

        return try await req.page("organisations/show", titleKey: "", ShowContent(
            organisation: OrganisationLink(organisation, language, catalog: catalog),
            legalFormLong: organisation.legalForm.flatMap(LegalForm.init(rawValue:)).map { catalog.text($0.catalogKey, language) },
            place: organisation.place,
            territoryPath: organisation.territoryID.flatMap { directory.byID[$0] }.map { directory.path(to: $0).map { TerritoryLink($0, language, catalog: catalog) } } ?? [],
            website: organisation.website,
            roles: roles,
            projects: grants.map { .init(programme: ProgrammeLink($0.programme, language), title: $0.title.display(language), goal: $0.goal.display(language)) },
            canManage: req.can(.manageOrganisations)), title: organisation.name.text(language))
    }
}
