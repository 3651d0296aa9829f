import DemilgeCore
import Fluent
import Vapor

/// `/admin/outbox`: e-mail that has not left — waiting, or dead after every attempt failed — with why, and a way
/// to send a dead one again. Bodies are never shown (a reset link is the reader's alone).
struct OutboxAdminController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let outbox = routes.grouped("admin", "outbox")
        outbox.get(use: list)
        outbox.get(":id", use: show)
        outbox.post(":id", "retry", use: retry)
    }

    struct Line: Encodable {
        let id: String
        let recipient: String
        let kind: String
        let attempts: Int
        let lastError: String?
        let created: String
        let due: String
        let dead: Bool
    }

    struct Content: Encodable {
        let queued: Int
        let dead: Int
        let lines: [Line]
    }

    func list(req: Request) async throws -> Response {
        try req.authorize(.manageUsers)
        let depth = try await Outbox.depth(on: req.db)
        let messages = try await OutboxMessage.query(on: req.db).filter(\.$status != OutboxMessage.Status.sent.rawValue)
            .sort(\.$createdMillis, .descending).limit(200).all()
        let language = req.language
        func when(_ millis: Int64) -> String { Formatters.dateTime(Date(millis: millis), language) }
        return try await req.page("admin/outbox", titleKey: "admin.outbox.title", Content(
            queued: depth.queued, dead: depth.dead,
            lines: messages.map { message in
                Line(id: message.id?.uuidString.lowercased() ?? "", recipient: message.recipient, kind: req.t("admin.outbox.kind.\(message.kind)"),
                     attempts: message.attempts, lastError: message.lastError, created: when(message.createdMillis), due: when(message.dueMillis),
                     dead: message.status == OutboxMessage.Status.dead.rawValue)
            }), forms: true)
    }

    /// A message's address: its line in the list.
    func show(req: Request) async throws -> Response {
        try req.authorize(.manageUsers)
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw DemilgeError.badRequest }
        return req.redirect(to: "/admin/outbox#m-\(id.uuidString.lowercased())")
    }

    func retry(req: Request) async throws -> Response {
        try req.authorize(.manageUsers)
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw DemilgeError.badRequest }
        let actor = req.auditActor
        let queued = try await req.write(counted: false) { db in
            guard try await Outbox.retry(id, on: db) else { return false }
            try await AuditLog.record(on: db, by: actor, action: "outbox.retry", entityType: "outbox", entityID: id.uuidString.lowercased())
            return true
        }
        req.flash(queued ? "admin.outbox.retried" : "admin.outbox.not_dead")
        return req.redirect(to: "/admin/outbox", redirectType: .normal)
    }
}
