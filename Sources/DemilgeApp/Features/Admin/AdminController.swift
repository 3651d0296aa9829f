import DemilgeCore
import Fluent
import Vapor

/// The administrator's pages. Each handler asks `Policy` first; nothing here is reachable otherwise.
struct AdminController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let admin = routes.grouped("admin")
        admin.get(use: dashboard)
        admin.get("audit", use: audit)
        try admin.register(collection: AdminUsersController())
        try admin.register(collection: AdminTerritoriesController())
        try admin.register(collection: AdminOrganisationsController())
    }

    struct DashboardContent: Encodable {
        let users: Int
        let territories: Int
        let organisations: Int
        let auditEntries: Int
        let auditIntact: Bool
        let outboxDead: Int
    }

    func dashboard(req: Request) async throws -> Response {
        try req.authorize(.manageUsers)
        let verification = try await AuditLog.verify(on: req.db)
        return try await req.page("admin/dashboard", titleKey: "admin.title", DashboardContent(
            users: try await User.query(on: req.db).count(),
            territories: try await Territory.query(on: req.db).count(),
            organisations: try await Organisation.query(on: req.db).count(),
            auditEntries: verification.count, auditIntact: verification.breach == nil,
            outboxDead: try await Outbox.depth(on: req.db).dead))
    }

    struct AuditContent: Encodable {
        struct Line: Encodable {
            let sequence: Int64
            let when: String
            let actor: String
            let action: String
            let entity: String
            let before: String?
            let after: String?
            let hash: String
        }
        let intact: Bool
        let breach: String?
        let count: Int
        let lines: [Line]
    }

    func audit(req: Request) async throws -> Response {
        try req.authorize(.viewAudit)
        let verification = try await AuditLog.verify(on: req.db)
        // Ballots cast in a round still voting are in the chain (and verified) but not listed: their number is the
        // round's running turnout, which nobody sees before voting closes.
        let open = try await BudgetRound.query(on: req.db).filter(\.$status == RoundStatus.voting).all().map(\.idString)
        let entries = try await AuditEntry.query(on: req.db).sort(\.$id, .descending).limit(200).all()
            .filter { !($0.action.hasPrefix("ballot.") && open.contains($0.entityID)) }
        return try await req.page("admin/audit", titleKey: "admin.audit.title", AuditContent(
            intact: verification.breach == nil, breach: verification.breach?.description, count: verification.count,
            lines: entries.map { entry in
                .init(sequence: entry.id ?? 0,
                      when: Formatters.dateTime(Date(millis: entry.atMillis), req.language),
                      actor: entry.actor, action: entry.action, entity: "\(entry.entityType) \(entry.entityID)",
                      before: entry.before, after: entry.after, hash: String(entry.hash.prefix(12)))
            }))
    }
}
