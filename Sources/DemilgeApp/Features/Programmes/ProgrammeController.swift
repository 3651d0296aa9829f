import DemilgeCore
import Fluent
import Vapor

struct ProgrammeLink: Encodable {
    let slug: String
    let name: DisplayText

    init(_ programme: Programme, _ language: Language) {
        slug = programme.slug
        name = programme.name.display(language)
    }
}

/// One grantee's project, as listed on territory, programme and oblast pages.
struct GranteeItem: Encodable {
    let organisation: OrganisationLink
    let place: String?
    let territory: TerritoryLink?
    let title: DisplayText
    let goal: DisplayText
    let programme: ProgrammeLink

    static func sorted(_ grantees: [ProgrammeGrantee], _ language: Language, catalog: Catalog, directory: TerritoryDirectory) -> [GranteeItem] {
        KyrgyzText.sorted(grantees, by: { $0.organisation.name.text(language) }, language).map { grantee in
            GranteeItem(organisation: OrganisationLink(grantee.organisation, language, catalog: catalog),
                        place: grantee.organisation.place,
                        territory: directory.byID[grantee.$territory.id].map { TerritoryLink($0, language, catalog: catalog) },
                        title: grantee.title.display(language), goal: grantee.goal.display(language),
                        programme: ProgrammeLink(grantee.programme, language))
        }
    }
}

struct ProgrammeController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("programmes", use: index)
        routes.get("programmes", ":slug", use: show)
        routes.get("programmes", ":slug", "grantees", use: grantees)
    }

    func index(req: Request) async throws -> Response {
        try await req.page("programmes/index", titleKey: "programmes.title", try await ProgrammeSummary.all(on: req))
    }

    private func load(_ req: Request) async throws -> Programme {
        guard let slug = req.parameters.get("slug"),
              let programme = try await Programme.query(on: req.db).filter(\.$slug == slug)
                .with(\.$donor).with(\.$implementer).with(\.$partners).with(\.$regions)
                .with(\.$grantees, { $0.with(\.$organisation).with(\.$programme) }).first()
        else { throw DemilgeError.notFound }
        return programme
    }

    func show(req: Request) async throws -> Response {
        let programme = try await load(req)
        return try await req.page("programmes/show", titleKey: "", try await ProgrammePage.build(req, programme), title: programme.name.text(req.language))
    }

    func grantees(req: Request) async throws -> Response {
        let programme = try await load(req)
        return try await req.page("programmes/grantees", titleKey: "programme.grantees.title", titleArguments: ["programme": programme.name.text(req.language)],
                                  try await ProgrammePage.grantees(req, programme))
    }
}
