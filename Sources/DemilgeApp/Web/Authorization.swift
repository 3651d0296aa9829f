import DemilgeCore
import Fluent
import Vapor

extension Request {
    /// Refuses the request unless `Policy` allows the actor to do `action` on `target`.
    func authorize(_ action: Action, on target: Target = .anywhere) throws {
        guard actor.isSignedIn else { throw DemilgeError.signInRequired }
        guard Policy.allows(actor, action, on: target) else { throw DemilgeError.forbidden }
    }

    func can(_ action: Action, on target: Target = .anywhere) -> Bool {
        Policy.allows(actor, action, on: target)
    }
}

enum TerritoryPath {
    /// The territory and every territory above it, nearest first.
    static func ids(from territoryID: UUID, on db: any Database) async throws -> [UUID] {
        try await chain(from: territoryID, on: db).compactMap(\.id)
    }

    static func chain(from territoryID: UUID, on db: any Database) async throws -> [Territory] {
        var chain: [Territory] = []
        var next: UUID? = territoryID
        while let id = next, chain.count < 10, let territory = try await Territory.find(id, on: db) {
            chain.append(territory)
            next = territory.$parent.id
        }
        return chain
    }

    static func target(_ territoryID: UUID, on db: any Database) async throws -> Target {
        Target(territoryPath: try await ids(from: territoryID, on: db))
    }

    /// The same path read from the request's territory directory (no query): for what a page shows. A command
    /// checks inside its transaction with `target(_:on:)`.
    static func ids(from territoryID: UUID, _ req: Request) async throws -> [UUID] {
        let directory = try await req.territoryDirectory()
        guard let territory = directory.byID[territoryID] else { return try await ids(from: territoryID, on: req.db) }
        return directory.path(to: territory).reversed().compactMap(\.id)
    }

    static func target(_ territoryID: UUID, _ req: Request) async throws -> Target {
        Target(territoryPath: try await ids(from: territoryID, req))
    }
}
