import DemilgeCore
import Fluent
import Vapor

/// Awarded grants grouped by oblast, in Kyrgyz alphabetical order of the grantee.
struct GranteesPage: Encodable {
    struct Item: Encodable { let id: String; let title: String; let organisation: String; let organisationSlug: String; let place: String; let amount: String; let status: String; let call: String }
    struct Group: Encodable { let oblast: TerritoryLink; let items: [Item]; let count: Int }
    let groups: [Group]
    let total: Int

    static func build(_ req: Request) async throws -> GranteesPage {
        let directory = try await req.territoryDirectory()
        let awarded = try await GrantApplication.query(on: req.db).filter(\.$status ~~ GrantDisplay.awarded)
            .with(\.$organisation).with(\.$call).all()
        let byOblast = Dictionary(grouping: awarded) { application in
            directory.byID[application.$territory.id].flatMap { directory.topLevel(of: $0).id }
        }
        let language = req.language
        let groups = KyrgyzText.sorted(directory.roots.filter { byOblast[$0.id] != nil }, by: { $0.name.text(language) }, language).map { oblast in
            let items = KyrgyzText.sorted(byOblast[oblast.id] ?? [], by: { $0.organisation.name.text(language) }, language).map { a in
                Item(id: a.idString, title: a.title, organisation: a.organisation.name.text(language), organisationSlug: a.organisation.slug,
                     place: directory.byID[a.$territory.id]?.name.text(language) ?? "", amount: GrantDisplay.money(a.requestedTyiyn, req),
                     status: req.t(a.status.catalogKey), call: a.call.title)
            }
            return Group(oblast: TerritoryLink(oblast, language, catalog: req.application.catalog), items: items, count: items.count)
        }
        return GranteesPage(groups: groups, total: awarded.count)
    }
}
