import DemilgeCore
import Fluent
import Vapor

/// `/transparency` (and `/transparency.json`): the audit log's head — its last entry's number and hash, and the
/// MAC made with the key outside the database — published so that anyone may note it and later hold the operator to
/// it: a log cut back to an earlier end cannot show a head that was once published with a higher number.
struct AuditHeadController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("transparency", use: page)
        routes.get("transparency.json", use: json)
    }

    struct Head: Content {
        let sequence: Int64
        let hash: String
        let mac: String
    }

    static func head(_ req: Request) async throws -> Head {
        let head = try await AuditHeadStore.read(on: req.db)
        return Head(sequence: head?.sequence ?? 0, hash: head?.hash ?? AuditChain.genesisHash, mac: head?.mac ?? "")
    }

    func page(req: Request) async throws -> Response {
        try await req.page("transparency/head", titleKey: "transparency.title", try await Self.head(req))
    }

    func json(req: Request) async throws -> Response {
        let response = try await Self.head(req).encodeResponse(for: req)
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-cache")
        return response
    }
}
