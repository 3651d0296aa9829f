import DemilgeCore
import Fluent
import Vapor

/// A programme's page: who funds and runs it, where, its goals, its grantees by oblast and its portal figures; and the
/// same page reduced to the grantees.
struct ProgrammePage: Encodable {
    let programme: ProgrammeSummary
    let partners: [OrganisationLink]
    let national: Bool
    let regions: [TerritoryLink]
    let goals: [DisplayText]
    let oblasts: [OblastGroup]
    var portal: ProgrammePortal? = nil

    struct OblastGroup: Encodable {
        let oblast: TerritoryLink
        let grantees: [GranteeItem]
    }

    static func build(_ req: Request, _ programme: Programme) async throws -> ProgrammePage {
        let language = req.language
        let catalog = req.application.catalog
        async let directory = req.territoryDirectory()
        async let portal = ProgrammePortal.load(programme, req)
        return ProgrammePage(
            programme: ProgrammeSummary(programme, granteeCount: programme.grantees.count, language, catalog: catalog),
            partners: OrganisationLink.sorted(programme.partners, language, catalog: catalog),
            national: programme.national,
            regions: KyrgyzText.sorted(programme.regions, by: { $0.name.text(language) }, language).map { TerritoryLink($0, language, catalog: catalog) },
            goals: programme.goals.map { $0.display(language) },
            oblasts: oblastGroups(programme, req, directory: try await directory), portal: try await portal)
    }

    static func grantees(_ req: Request, _ programme: Programme) async throws -> ProgrammePage {
        let directory = try await req.territoryDirectory()
        return ProgrammePage(
            programme: ProgrammeSummary(programme, granteeCount: programme.grantees.count, req.language, catalog: req.application.catalog),
            partners: [], national: programme.national, regions: [], goals: [],
            oblasts: oblastGroups(programme, req, directory: directory))
    }

    /// Grantees grouped by the oblast (or city of republican significance) they work in, as seed 004 lists them.
    static func oblastGroups(_ programme: Programme, _ req: Request, directory: TerritoryDirectory) -> [OblastGroup] {
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
}
