import DemilgeCore
import Fluent
import Vapor

struct TerritoryController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("territories", use: index)
        routes.get("territories.csv", use: exportCSV)
        routes.get("territories", ":code", use: show)
    }

    struct IndexContent: Encodable {
        let oblasts: [TerritoryLink]
        let cities: [TerritoryLink]
        let total: Int
        let canManage: Bool
    }

    func index(req: Request) async throws -> Response {
        let directory = try await TerritoryDirectory.load(on: req.db)
        let language = req.language
        let links = { (kind: TerritoryKind) in
            KyrgyzText.sorted(directory.roots.filter { $0.kind == kind }, by: { $0.name.text(language) }, language)
                .map { TerritoryLink($0, language, catalog: req.application.catalog, count: $0.id.flatMap { directory.children[$0]?.count } ?? 0) }
        }
        return try await req.page("territories/index", titleKey: "territories.title",
                                  IndexContent(oblasts: links(.oblast), cities: links(.republicanCity),
                                               total: directory.all.count, canManage: req.can(.manageTerritories)))
    }

    struct ShowContent: Encodable {
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
    }

    /// What the community here and below has recorded: problems, sessions, commissions, groups.
    struct Community: Encodable {
        struct Link: Encodable { let href: String; let label: String; let detail: String }
        let openProblems: Int
        let solvedProblems: Int
        let sessions: [Link]
        let commissions: [Link]
        let groups: [Link]
    }

    static func community(_ subtree: Set<UUID>, _ req: Request) async throws -> Community {
        let ids = Array(subtree)
        let problems = try await Problem.query(on: req.db).filter(\.$territory.$id ~~ ids).filter(\.$hidden == false).filter(\.$mergedInto.$id == nil).all()
        let sessions = try await AssessmentSession.query(on: req.db).filter(\.$territory.$id ~~ ids).sort(\.$heldOn, .descending).all()
        let commissions = try await Commission.query(on: req.db).filter(\.$territory.$id ~~ ids).sort(\.$name).all()
        let groups = try await InitiativeGroup.query(on: req.db).filter(\.$territory.$id ~~ ids).sort(\.$name).all()
        return Community(
            openProblems: problems.filter { $0.status.isOpen }.count,
            solvedProblems: problems.filter { $0.status == .solved }.count,
            sessions: sessions.map { .init(href: SitePath.assessment($0.id).path, label: $0.heldOn.formatted(req.language), detail: $0.place) },
            commissions: commissions.map { .init(href: SitePath.commission($0.id).path, label: $0.name, detail: "") },
            groups: groups.map { .init(href: SitePath.group($0.id).path, label: $0.name, detail: "") })
    }

    func show(req: Request) async throws -> Response {
        let directory = try await TerritoryDirectory.load(on: req.db)
        guard let code = req.parameters.get("code"), let territory = directory.byCode[code], let id = territory.id else {
            throw DemilgeError.notFound
        }
        let language = req.language
        let catalog = req.application.catalog
        let subtree = directory.subtree(of: id)
        let pathIDs = Set(directory.path(to: territory).compactMap(\.id))

        let childGroups = Dictionary(grouping: directory.children[id] ?? [], by: \.kind)
        let groups = TerritoryKind.allCases.compactMap { kind -> ShowContent.Group? in
            guard let items = childGroups[kind], !items.isEmpty else { return nil }
            let sorted = KyrgyzText.sorted(items, by: { $0.name.text(language) }, language)
            return .init(kind: catalog.text("territory.kinds.\(kind.rawValue)", language),
                         items: sorted.map { TerritoryLink($0, language, catalog: catalog, count: $0.id.flatMap { directory.children[$0]?.count }) })
        }

        let organisations = try await Organisation.query(on: req.db).filter(\.$territory.$id ~~ Array(subtree)).all()
        let regionLinks = try await ProgrammeRegion.query(on: req.db).all()
        let programmeIDs = Set(regionLinks.filter { pathIDs.contains($0.$territory.id) || subtree.contains($0.$territory.id) }.map(\.$programme.id))
        let programmes = try await Programme.query(on: req.db).all().filter { $0.national || $0.id.map(programmeIDs.contains) ?? false }
        let grantees = try await ProgrammeGrantee.query(on: req.db).filter(\.$territory.$id ~~ Array(subtree))
            .with(\.$organisation).with(\.$programme).all()

        let names = Language.allCases.compactMap { lang -> ShowContent.Name? in
            let text = territory.name.resolved(lang)
            return text.language == lang ? .init(language: catalog.text("language.name", lang), text: text.text) : nil
        }
        return try await req.page("territories/show", titleKey: "", ShowContent(
            territory: TerritoryLink(territory, language, catalog: catalog),
            isoCode: territory.isoCode, names: names, aliases: territory.aliasList,
            breadcrumbs: directory.path(to: territory).dropLast().map { TerritoryLink($0, language, catalog: catalog) },
            groups: groups,
            organisations: OrganisationLink.sorted(organisations, language, catalog: catalog),
            programmes: KyrgyzText.sorted(programmes, by: { $0.name.text(language) }, language).map { ProgrammeLink($0, language) },
            grantees: GranteeItem.sorted(grantees, language, catalog: catalog, directory: directory),
            community: try await Self.community(subtree, req),
            portal: try await TerritoryPortal.load(subtree, req),
            canManage: req.can(.manageTerritories)), title: territory.name.text(language))
    }

    func exportCSV(req: Request) async throws -> Response {
        let directory = try await TerritoryDirectory.load(on: req.db)
        // Parents before children, so the file imports back as it is.
        var ordered: [Territory] = []
        func visit(_ territory: Territory) {
            ordered.append(territory)
            for child in (territory.id.flatMap { directory.children[$0] } ?? []).sorted(by: { $0.code < $1.code }) { visit(child) }
        }
        directory.roots.sorted(by: { $0.code < $1.code }).forEach(visit)
        let records = ordered.map { territory in
            TerritoryRecord(code: territory.code, kind: territory.kind,
                            parentCode: territory.$parent.id.flatMap { directory.byID[$0]?.code },
                            isoCode: territory.isoCode, name: territory.name, aliases: territory.aliasList)
        }
        return OpenData.csv(TerritoryCSV.export(records), filename: "demilge-territories.csv")
    }
}
