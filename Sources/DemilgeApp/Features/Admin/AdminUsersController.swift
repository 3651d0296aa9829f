import DemilgeCore
import Fluent
import Vapor

/// Accounts, their roles by scope, and disabling an account.
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
        let directory = try await req.territoryDirectory()
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
            try await User.privilegesChanged(try user.requireID(), on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "role.grant", entityType: "user",
                                      entityID: user.idString, after: assignment.snapshot)
        }
        req.flash("admin.roles.granted")
        return req.redirect(to: .adminUser(user.id))
    }

    func revoke(req: Request) async throws -> Response {
        try req.authorize(.manageRoles)
        let user = try await loadUser(req)
        guard let assignmentID = req.parameters.get("assignment").flatMap(UUID.init(uuidString:)),
              let assignment = user.roles.first(where: { $0.id == assignmentID }) else { throw DemilgeError.notFound }
        if user.id == req.currentUser?.id, assignment.grant == RoleGrant(.administrator, .global) {
            req.flash("admin.roles.cannot_revoke_own_admin")
            return req.redirect(to: .adminUser(user.id))
        }
        try await req.write { db in
            try await assignment.delete(on: db)
            try await User.privilegesChanged(try user.requireID(), on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "role.revoke", entityType: "user",
                                      entityID: user.idString, before: assignment.snapshot)
        }
        req.flash("admin.roles.revoked")
        return req.redirect(to: .adminUser(user.id))
    }

    func setStatus(req: Request) async throws -> Response {
        try req.authorize(.manageUsers)
        let user = try await loadUser(req)
        let disable = req.formFields["disabled"] == "1"
        guard user.id != req.currentUser?.id else {
            req.flash("admin.users.cannot_disable_self")
            return req.redirect(to: .adminUser(user.id))
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
        return req.redirect(to: .adminUser(user.id))
    }
}
