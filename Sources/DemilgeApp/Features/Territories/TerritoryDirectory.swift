import DemilgeCore
import Fluent
import Foundation
import Vapor

/// All territories, indexed for walking the hierarchy both ways (one per instance: `TerritoryDirectoryCache`).
struct TerritoryDirectory {
    let all: [Territory]
    let byID: [UUID: Territory]
    let byCode: [String: Territory]
    let children: [UUID: [Territory]]
    /// Every territory's code by id, for open data that names places by code.
    let codes: [UUID: String]

    static func load(on db: any Database) async throws -> TerritoryDirectory {
        TerritoryDirectory(try await Territory.query(on: db).all())
    }

    init(_ territories: [Territory]) {
        all = territories
        byID = Dictionary(firstValues: territories.compactMap { t in t.id.map { ($0, t) } })
        byCode = Dictionary(firstValues: territories.map { ($0.code, $0) })
        codes = byID.mapValues(\.code)
        children = Dictionary(grouping: territories.compactMap { t in t.$parent.id.map { ($0, t) } }, by: \.0).mapValues { $0.map(\.1) }
    }

    var roots: [Territory] { all.filter { $0.$parent.id == nil } }

    /// From the top level down to `territory`.
    func path(to territory: Territory) -> [Territory] {
        var path = [territory]
        var current = territory
        while let parentID = current.$parent.id, let parent = byID[parentID], path.count < 10 {
            path.insert(parent, at: 0)
            current = parent
        }
        return path
    }

    func topLevel(of territory: Territory) -> Territory { path(to: territory).first ?? territory }

    /// The territory and everything under it.
    func subtree(of id: UUID) -> Set<UUID> {
        var result: Set<UUID> = [id]
        var queue = [id]
        while let next = queue.popLast() {
            for child in children[next] ?? [] {
                guard let id = child.id, result.insert(id).inserted else { continue }
                queue.append(id)
            }
        }
        return result
    }

    /// The territory and everything under it (nothing for a territory not yet saved).
    func subtree(of territory: Territory) -> Set<UUID> { territory.id.map(subtree(of:)) ?? [] }

    func descendantCount(of id: UUID) -> Int { subtree(of: id).count - 1 }
}

/// A territory as a link in any list.
struct TerritoryLink: Encodable {
    let code: String
    let name: DisplayText
    let kind: String
    let count: Int?

    init(_ territory: Territory, _ language: Language, catalog: Catalog, count: Int? = nil) {
        code = territory.code
        name = territory.name.display(language)
        kind = catalog.text(territory.kind.catalogKey, language)
        self.count = count
    }
}

extension Request {
    /// A territory and the ones above it, country first, as a breadcrumb shows them.
    func territoryTrail(_ territory: Territory) async throws -> [TerritoryLink] {
        try await territoryDirectory().path(to: territory).map { TerritoryLink($0, language, catalog: application.catalog) }
    }
}
