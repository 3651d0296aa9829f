import DemilgeCore
import Fluent
import Vapor

/// The territories' directory: oblasts and republican cities with how many places each holds.
struct TerritoryListPage: Encodable {
    let oblasts: [TerritoryLink]
    let cities: [TerritoryLink]
    let total: Int
    let canManage: Bool

    static func build(_ req: Request) async throws -> TerritoryListPage {
        let directory = try await req.territoryDirectory()
        let language = req.language
        let links = { (kind: TerritoryKind) in
            KyrgyzText.sorted(directory.roots.filter { $0.kind == kind }, by: { $0.name.text(language) }, language)
                .map { TerritoryLink($0, language, catalog: req.application.catalog, count: $0.id.flatMap { directory.children[$0]?.count } ?? 0) }
        }
        return TerritoryListPage(oblasts: links(.oblast), cities: links(.republicanCity), total: directory.all.count, canManage: req.can(.manageTerritories))
    }
}
