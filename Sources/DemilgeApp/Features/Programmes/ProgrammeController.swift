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

    struct ShowContent: Encodable {
        let programme: ProgrammeSummary
        let partners: [OrganisationLink]
        let national: Bool
        let regions: [TerritoryLink]
        let goals: [DisplayText]
        let sources: [String]
        let oblasts: [OblastGroup]
        var portal: ProgrammePortal? = nil
    }

    struct OblastGroup: Encodable {
        let oblast: TerritoryLink
        let grantees: [GranteeItem]
    }

    private func load(_ req: Request) async throws -> Programme {
        guard let slug = req.parameters.get("slug"),
              let programme = try await Programme.query(on: req.db).filter(\.$slug == slug)
                .with(\.$donor).with(\.$implementer).with(\.$partners).with(\.$regions)
                .with(\.$grantees, { $0.with(\.$organisation).with(\.$programme) }).first()
        else { throw DemilgeError.notFound }
        return programme
    }

    /// Grantees grouped by the oblast (or city of republican significance) they work in, as seed 004 lists them.
    private func oblastGroups(_ programme: Programme, _ req: Request, directory: TerritoryDirectory) -> [OblastGroup] {
        let language = req.language
        let catalog = req.application.catalog
        let byOblast = Dictionary(grouping: programme.grantees) { grantee in
            directory.byID[grantee.$territory.id].map { directory.topLevel(of: $0).code } ?? ""
        }
        return KyrgyzText.sorted(byOblast.keys.compactMap { directory.byCode[$0] }, by: { $0.name.text(language) }, language)
            .map { oblast in
                OblastGroup(oblast: TerritoryLink(oblast, language, catalog: catalog, count: byOblast[oblast.code]?.count),
                            grantees: GranteeItem.sorted(byOblast[oblast.code] ?? [], language, catalog: catalog, directory: directory))
            }
    }

    func show(req: Request) async throws -> Response {
        let programme = try await load(req)
        let language = req.language
        let catalog = req.application.catalog
        let directory = try await TerritoryDirectory.load(on: req.db)
        return try await req.page("programmes/show", titleKey: "", ShowContent(
            programme: ProgrammeSummary(programme, granteeCount: programme.grantees.count, language, catalog: catalog),
            partners: OrganisationLink.sorted(programme.partners, language, catalog: catalog),
            national: programme.national,
            regions: KyrgyzText.sorted(programme.regions, by: { $0.name.text(language) }, language).map { TerritoryLink($0, language, catalog: catalog) },
            goals: programme.goals.map { $0.display(language) },
            sources: programme.sources.split(separator: ",").map(String.init),
            oblasts: oblastGroups(programme, req, directory: directory), portal: try await ProgrammePortal.load(programme, req)), title: programme.name.text(language))
    }

    func grantees(req: Request) async throws -> Response {
        let programme = try await load(req)
        let language = req.language
        let directory = try await TerritoryDirectory.load(on: req.db)
        return try await req.page("programmes/grantees", titleKey: "programme.grantees.title",
                                  titleArguments: ["programme": programme.name.text(language)],
                                  ShowContent(
                                    programme: ProgrammeSummary(programme, granteeCount: programme.grantees.count, language, catalog: req.application.catalog),
                                    partners: [], national: programme.national, regions: [], goals: [], sources: [],
                                    oblasts: oblastGroups(programme, req, directory: directory)))
    }
}
