import DemilgeCore
import Fluent
import Vapor

struct TerritoryController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("territories", use: index)
        routes.get("territories.csv", use: exportCSV)
        routes.get("territories", ":code", use: show)
    }

    func index(req: Request) async throws -> Response {
        try await req.page("territories/index", titleKey: "territories.title", try await TerritoryListPage.build(req))
    }

    func show(req: Request) async throws -> Response {
        let directory = try await req.territoryDirectory()
        guard let code = req.parameters.get("code"), let territory = directory.byCode[code] else { throw DemilgeError.notFound }
        var page = try await TerritoryPage.build(req, territory, directory: directory)
        page.follow = try await FollowButton.build(req, .territory, territory.id)
        return try await req.page("territories/show", titleKey: "", page, title: territory.name.text(req.language))
    }

    func exportCSV(req: Request) async throws -> Response {
        let directory = try await req.territoryDirectory()
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
