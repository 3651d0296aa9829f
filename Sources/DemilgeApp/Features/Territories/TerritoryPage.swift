import DemilgeCore
import Fluent
import Vapor

/// A territory's page: its names, where it sits and what it holds, organisations and programmes there, and what its
/// community has recorded (problems, sessions, commissions, groups, grants, money). Independent queries run at once.
struct TerritoryPage: Encodable {
    struct Group: Encodable { let kind: String; let items: [TerritoryLink] }
    struct Name: Encodable { let language: String; let text: String }
    let territory: TerritoryLink
    let isoCode: String?
    let names: [Name]
    let aliases: [String]
    let breadcrumbs: [TerritoryLink]
    let groups: [Group]
    let organisations: [OrganisationLink]
    let programmes: [ProgrammeLink]
    let grantees: [GranteeItem]
    let community: Community
    let portal: TerritoryPortal
    let canManage: Bool

    /// What the community here and below has recorded: problems, sessions, commissions, groups.
    struct Community: Encodable {
        struct Link: Encodable { let href: String; let label: String; let detail: String }
        let openProblems: Int
        let solvedProblems: Int
        let sessions: [Link]
        let commissions: [Link]
        let groups: [Link]
    }

    /// Counts, and the latest few of each list: a page never reads an oblast's whole record.
    static func community(_ subtree: Set<UUID>, _ req: Request) async throws -> Community {
        let ids = Array(subtree), shown = TerritoryPortal.shown
        async let figures = TerritoryPortal.Figures.load(subtree, req)
        async let commissions = Commission.query(on: req.db).filter(\.$territory.$id ~~ ids).sort(\.$name).limit(shown).all()
        async let groups = InitiativeGroup.query(on: req.db).filter(\.$territory.$id ~~ ids).sort(\.$name).limit(shown).all()
        let counted = try await figures
        return Community(
            openProblems: counted.openProblems,
            solvedProblems: counted.solvedProblems,
            sessions: counted.sessions.map { .init(href: SitePath.assessment($0.id).path, label: $0.heldOn.formatted(req.language), detail: $0.place) },
            commissions: try await commissions.map { .init(href: SitePath.commission($0.id).path, label: $0.name, detail: "") },
            groups: try await groups.map { .init(href: SitePath.group($0.id).path, label: $0.name, detail: "") })
    }

    /// The follow button, for a signed-in reader.
    var follow: FollowButton? = nil

    static func build(_ req: Request, _ territory: Territory, directory: TerritoryDirectory) async throws -> TerritoryPage {
        let id = try territory.requireID()
        let language = req.language
        let catalog = req.application.catalog
        let subtree = directory.subtree(of: id)
        let pathIDs = Set(directory.path(to: territory).compactMap(\.id))

        let childGroups = Dictionary(grouping: directory.children[id] ?? [], by: \.kind)
        let groups = TerritoryKind.allCases.compactMap { kind -> Group? in
            guard let items = childGroups[kind], !items.isEmpty else { return nil }
            let sorted = KyrgyzText.sorted(items, by: { $0.name.text(language) }, language)
            return .init(kind: catalog.text("territory.kinds.\(kind.rawValue)", language),
                         items: sorted.map { TerritoryLink($0, language, catalog: catalog, count: $0.id.flatMap { directory.children[$0]?.count }) })
        }

        // The first organisations by name (the seeds' own before invented ones); the directory lists them all.
        async let organisations = Organisation.query(on: req.db).filter(\.$territory.$id ~~ Array(subtree))
            .sort(\.$generated).sort(\.$nameKy).limit(TerritoryPortal.shown * 2).all()
        async let regionLinks = ProgrammeRegion.query(on: req.db).all()
        async let allProgrammes = Programme.query(on: req.db).all()
        async let grantees = ProgrammeGrantee.query(on: req.db).filter(\.$territory.$id ~~ Array(subtree))
            .with(\.$organisation).with(\.$programme).all()
        async let community = Self.community(subtree, req)
        async let portal = TerritoryPortal.load(subtree, req)
        let programmeIDs = Set(try await regionLinks.filter { pathIDs.contains($0.$territory.id) || subtree.contains($0.$territory.id) }.map(\.$programme.id))
        let programmes = try await allProgrammes.filter { $0.national || $0.id.map(programmeIDs.contains) ?? false }

        let names = Language.allCases.compactMap { lang -> Name? in
            let text = territory.name.resolved(lang)
            return text.language == lang ? .init(language: catalog.text("language.name", lang), text: text.text) : nil
        }
        return TerritoryPage(
            territory: TerritoryLink(territory, language, catalog: catalog),
            isoCode: territory.isoCode, names: names, aliases: territory.aliasList,
            breadcrumbs: directory.path(to: territory).dropLast().map { TerritoryLink($0, language, catalog: catalog) },
            groups: groups,
            organisations: OrganisationLink.sorted(try await organisations, language, catalog: catalog),
            programmes: KyrgyzText.sorted(programmes, by: { $0.name.text(language) }, language).map { ProgrammeLink($0, language) },
            grantees: GranteeItem.sorted(try await grantees, language, catalog: catalog, directory: directory),
            community: try await community,
            portal: try await portal,
            canManage: req.can(.manageTerritories))
    }
}
