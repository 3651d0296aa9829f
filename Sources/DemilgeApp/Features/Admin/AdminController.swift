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
    }

    func dashboard(req: Request) async throws -> Response {
        try req.authorize(.manageUsers)
        let verification = try await AuditLog.verify(on: req.db)
        return try await req.page("admin/dashboard", titleKey: "admin.title", DashboardContent(
            users: try await User.query(on: req.db).count(),
            territories: try await Territory.query(on: req.db).count(),
            organisations: try await Organisation.query(on: req.db).count(),
            auditEntries: verification.count, auditIntact: verification.breach == nil))
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
                      when: Formatters.dateTime(Date(timeIntervalSince1970: Double(entry.atMillis) / 1000), req.language),
                      actor: entry.actor, action: entry.action, entity: "\(entry.entityType) \(entry.entityID)",
                      before: entry.before, after: entry.after, hash: String(entry.hash.prefix(12)))
            }))
    }
}

struct AdminUsersController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("users", use: index)
        routes.get("users", ":id", use: show)
        routes.post("users", ":id", "roles", use: grant)
        routes.post("users", ":id", "roles", ":assignment", "revoke", use: revoke)
        routes.post("users", ":id", "status", use: setStatus)
    }

    struct IndexContent: Encodable {
        struct Row: Encodable { let id: String; let name: String; let email: String; let roles: String; let disabled: Bool }
        let users: [Row]
    }

    func index(req: Request) async throws -> Response {
        try req.authorize(.manageUsers)
        let users = try await User.query(on: req.db).with(\.$roles).sort(\.$email).all()
        return try await req.page("admin/users", titleKey: "admin.users.title", IndexContent(users: users.map { user in
            .init(id: (try user.requireID()).uuidString, name: user.displayName, email: user.email,
                  roles: user.roles.compactMap { $0.grant.map { req.t($0.role.catalogKey) } }.joined(separator: ", "),
                  disabled: user.disabled)
        }))
    }

    struct ShowContent: Encodable {
        let id: String
        let name: String
        let email: String
        let disabled: Bool
        let isSelf: Bool
        let roles: [RoleLine]
        let roleOptions: [Option]
        let scopeOptions: [Option]
        let territoryGroups: [PlaceGroup]
        let programmeOptions: [Option]
        let form: FormState
    }

    private func loadUser(_ req: Request) async throws -> User {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
              let user = try await User.query(on: req.db).filter(\.$id == id).with(\.$roles).first() else { throw DemilgeError.notFound }
        return user
    }

    /// Every territory a role can be scoped to, grouped by oblast.
    private func scopeTerritories(_ req: Request, selected: String) async throws -> [PlaceGroup] {
        let directory = try await TerritoryDirectory.load(on: req.db)
        let language = req.language
        return KyrgyzText.sorted(directory.roots, by: { $0.name.text(language) }, language).map { root in
            let members = directory.path(to: root) + KyrgyzText.sorted(
                directory.subtree(of: root).subtracting(root.id.map { [$0] } ?? []).compactMap { directory.byID[$0] },
                by: { $0.name.text(language) }, language)
            return .init(label: root.name.text(language), options: members.map { territory in
                .init(code: territory.code, label: "\(territory.name.text(language)) · \(req.t(territory.kind.catalogKey))",
                      selected: territory.code == selected)
            })
        }
    }

    private func render(_ req: Request, _ user: User, form: FormState = FormState(), status: HTTPResponseStatus = .ok) async throws -> Response {
        let programmes = KyrgyzText.sorted(try await Programme.query(on: req.db).all(), by: { $0.name.text(req.language) }, req.language)
        return try await req.page("admin/user", titleKey: "", ShowContent(
            id: (try user.requireID()).uuidString, name: user.displayName, email: user.email, disabled: user.disabled,
            isSelf: user.id == req.currentUser?.id,
            roles: try await RoleLine.lines(user.roles, req),
            roleOptions: Role.allCases.map { .init(value: $0.rawValue, label: req.t($0.catalogKey), selected: form["role"] == $0.rawValue) },
            scopeOptions: ["global", "territory", "programme"].map { .init(value: $0, label: req.t("role.scope.\($0)"), selected: form["scope"] == $0) },
            territoryGroups: try await scopeTerritories(req, selected: form["territory"]),
            programmeOptions: programmes.map { .init(value: $0.slug, label: $0.name.text(req.language), selected: form["programme"] == $0.slug) },
            form: form), title: user.displayName, status: status)
    }

    func show(req: Request) async throws -> Response {
        try req.authorize(.manageUsers)
        return try await render(req, try await loadUser(req))
    }

    func grant(req: Request) async throws -> Response {
        try req.authorize(.manageRoles)
        let user = try await loadUser(req)
        var form = FormState.read(req, fields: ["role", "scope", "territory", "programme"])
        let role = Role(rawValue: form["role"])
        if role == nil { form.fail("role", req.t("validation.choose_from_list")) }
        var scope: RoleScope? = nil
        switch form["scope"] {
        case "global": scope = .global
        case "territory":
            if let id = try await Territory.query(on: req.db).filter(\.$code == form["territory"]).first()?.id { scope = .territory(id) }
            else { form.fail("territory", req.t("validation.choose_from_list")) }
        case "programme":
            if let id = try await Programme.query(on: req.db).filter(\.$slug == form["programme"]).first()?.id { scope = .programme(id) }
            else { form.fail("programme", req.t("validation.choose_from_list")) }
        default: form.fail("scope", req.t("validation.choose_from_list"))
        }
        if role == .administrator, let scope, scope != .global { form.fail("scope", req.t("admin.roles.administrator_global")) }
        if let role, let scope, user.roles.contains(where: { $0.grant == RoleGrant(role, scope) }) {
            form.fail("role", req.t("admin.roles.already"))
        }
        guard form.isValid, let role, let scope else {
            return try await render(req, user, form: form, status: .unprocessableEntity)
        }
        let assignment = RoleAssignment(userID: try user.requireID(), grant: RoleGrant(role, scope))
        try await req.write { db in
            try await assignment.create(on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "role.grant", entityType: "user",
                                      entityID: user.idString, after: assignment.snapshot)
        }
        req.flash("admin.roles.granted")
        return req.redirect(to: "/admin/users/\((try user.requireID()).uuidString)", redirectType: .normal)
    }

    func revoke(req: Request) async throws -> Response {
        try req.authorize(.manageRoles)
        let user = try await loadUser(req)
        guard let assignmentID = req.parameters.get("assignment").flatMap(UUID.init(uuidString:)),
              let assignment = user.roles.first(where: { $0.id == assignmentID }) else { throw DemilgeError.notFound }
        if user.id == req.currentUser?.id, assignment.grant == RoleGrant(.administrator, .global) {
            req.flash("admin.roles.cannot_revoke_own_admin")
            return req.redirect(to: "/admin/users/\((try user.requireID()).uuidString)", redirectType: .normal)
        }
        try await req.write { db in
            try await assignment.delete(on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "role.revoke", entityType: "user",
                                      entityID: user.idString, before: assignment.snapshot)
        }
        req.flash("admin.roles.revoked")
        return req.redirect(to: "/admin/users/\((try user.requireID()).uuidString)", redirectType: .normal)
    }

    func setStatus(req: Request) async throws -> Response {
        try req.authorize(.manageUsers)
        let user = try await loadUser(req)
        let disable = req.formFields["disabled"] == "1"
        guard user.id != req.currentUser?.id else {
            req.flash("admin.users.cannot_disable_self")
            return req.redirect(to: "/admin/users/\((try user.requireID()).uuidString)", redirectType: .normal)
        }
        if user.disabled != disable {
            let before = user.snapshot
            user.disabled = disable
            try await req.write { db in
                try await user.update(on: db)
                try await AuditLog.record(on: db, by: req.auditActor, action: disable ? "user.disable" : "user.enable",
                                          entityType: "user", entityID: user.idString, before: before, after: user.snapshot)
            }
        }
        req.flash(disable ? "admin.users.disabled" : "admin.users.enabled")
        return req.redirect(to: "/admin/users/\((try user.requireID()).uuidString)", redirectType: .normal)
    }
}
