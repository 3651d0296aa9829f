import DemilgeCore
import Fluent
import Vapor

/// Initiative groups: a coordinator, members with their sector, joining by request (approved by
/// the coordinator) or by invitation (accepted by the invited person).
struct InitiativeGroupController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("groups", use: index)
        routes.get("groups", "new", use: newForm)
        routes.post("groups", use: create)
        routes.get("groups", ":id", use: show)
        routes.post("groups", ":id", "join", use: join)
        routes.post("groups", ":id", "accept", use: accept)
        routes.post("groups", ":id", "invitations", use: invite)
        routes.post("groups", ":id", "members", ":membership", "approve", use: approve)
        routes.post("groups", ":id", "members", ":membership", "remove", use: remove)
    }

    static func sectors(_ req: Request, selected: String) -> [Option] {
        Sector.allCases.map { .init(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0.rawValue == selected) }
    }

    func index(req: Request) async throws -> Response {
        try await req.page("groups/index", titleKey: "groups.title", try await GroupListPage.build(req))
    }

    struct NewContent: Encodable { let form: FormState; let places: [PlaceGroup]; let sectors: [Option] }

    private func renderNew(_ req: Request, _ form: FormState, status: HTTPResponseStatus = .ok) async throws -> Response {
        return try await req.page("groups/new", titleKey: "groups.new", NewContent(
            form: form, places: try await PlaceGroup.choices(req, selected: form["territory"]), sectors: Self.sectors(req, selected: form["sector"])), forms: true, status: status)
    }

    func newForm(req: Request) async throws -> Response {
        try req.authorize(.createInitiativeGroup)
        return try await renderNew(req, FormState())
    }

    func create(req: Request) async throws -> Response {
        try req.authorize(.createInitiativeGroup)
        let user = try req.requireUser()
        var form = FormState.read(req, fields: ["name", "focus", "territory", "sector"])
        form.requireText("name", length: 3...150, req)
        form.requireText("focus", length: 10...2000, req)
        let territory = try await Territory.query(on: req.db).filter(\.$code == form["territory"]).first()
        if territory == nil { form.fail("territory", req.t("validation.choose_from_list")) }
        let sector = Sector(rawValue: form["sector"])
        if sector == nil { form.fail("sector", req.t("validation.choose_from_list")) }
        guard form.isValid, let territory, let sector else { return try await renderNew(req, form, status: .unprocessableEntity) }
        let group = InitiativeGroup()
        group.$territory.id = (try territory.requireID())
        group.name = form["name"]
        group.focus = form["focus"]
        group.$coordinator.id = (try user.requireID())
        try await req.write { db in
            try await group.create(on: db)
            try await GroupMembership(groupID: (try group.requireID()), userID: (try user.requireID()), sector: sector, status: .member).create(on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "group.create", entityType: "group",
                                      entityID: group.idString, after: ["name": group.name, "territory": territory.code])
        }
        req.flash("groups.created")
        return req.redirect(to: .group(group.id))
    }

    private func load(_ req: Request) async throws -> InitiativeGroup {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
              let group = try await InitiativeGroup.query(on: req.db).filter(\.$id == id).with(\.$territory).with(\.$coordinator)
                .with(\.$memberships, { $0.with(\.$user) }).first() else { throw DemilgeError.notFound }
        return group
    }

    /// The coordinator manages the group; so may municipal staff of its territory and administrators.
    static func canManage(_ group: InitiativeGroup, _ req: Request) async throws -> Bool {
        if let id = req.actor.userID, id == group.$coordinator.id { return true }
        return req.can(.manageInitiativeGroup, on: try await TerritoryPath.target(group.$territory.id, on: req.db))
    }

    private func render(_ req: Request, _ group: InitiativeGroup, form: FormState = FormState(), status: HTTPResponseStatus = .ok) async throws -> Response {
        try await req.page("groups/show", titleKey: "", try await GroupPage.build(req, group, form: form), title: group.name, status: status)
    }

    func show(req: Request) async throws -> Response {
        try await render(req, try await load(req))
    }

    func join(req: Request) async throws -> Response {
        let group = try await load(req)
        let user = try req.requireUser()
        var form = FormState.read(req, fields: ["sector"])
        let sector = Sector(rawValue: form["sector"])
        if sector == nil { form.fail("sector", req.t("validation.choose_from_list")) }
        if group.memberships.contains(where: { $0.$user.id == user.id }) { form.fail("join", req.t("groups.already")) }
        guard form.isValid, let sector else { return try await render(req, group, form: form, status: .unprocessableEntity) }
        try await req.write { db in
            try await GroupMembership(groupID: (try group.requireID()), userID: (try user.requireID()), sector: sector, status: .requested).create(on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "group.request", entityType: "group", entityID: group.idString)
        }
        req.flash("groups.requested")
        return req.redirect(to: .group(group.id))
    }

    func accept(req: Request) async throws -> Response {
        let group = try await load(req)
        let user = try req.requireUser()
        guard let membership = group.memberships.first(where: { $0.$user.id == user.id && $0.status == .invited }) else { throw DemilgeError.notFound }
        membership.status = MembershipStatus.member
        try await req.write { db in
            try await membership.update(on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "group.accept", entityType: "group", entityID: group.idString)
        }
        req.flash("groups.joined")
        return req.redirect(to: .group(group.id))
    }

    func invite(req: Request) async throws -> Response {
        let group = try await load(req)
        guard try await Self.canManage(group, req) else { throw req.actor.isSignedIn ? DemilgeError.forbidden : DemilgeError.signInRequired }
        var form = FormState.read(req, fields: ["email", "sector"])
        let sector = Sector(rawValue: form["sector"])
        if sector == nil { form.fail("sector", req.t("validation.choose_from_list")) }
        let invitee = try await EmailAddress.normalised(form["email"]).asyncFlatMap { try await User.query(on: req.db).filter(\.$email == $0).first() }
        if let invitee {
            if group.memberships.contains(where: { $0.$user.id == invitee.id }) { form.fail("email", req.t("groups.already")) }
        } else { form.fail("email", req.t("groups.no_such_user")) }
        guard form.isValid, let sector, let invitee else { return try await render(req, group, form: form, status: .unprocessableEntity) }
        try await req.write { db in
            try await GroupMembership(groupID: (try group.requireID()), userID: (try invitee.requireID()), sector: sector, status: .invited).create(on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "group.invite", entityType: "group", entityID: group.idString,
                                      after: ["user": invitee.idString])
        }
        req.flash("groups.invited")
        return req.redirect(to: .group(group.id))
    }

    private func membership(_ req: Request, _ group: InitiativeGroup) throws -> GroupMembership {
        guard let id = req.parameters.get("membership").flatMap(UUID.init(uuidString:)),
              let membership = group.memberships.first(where: { $0.id == id }) else { throw DemilgeError.notFound }
        return membership
    }

    func approve(req: Request) async throws -> Response {
        let group = try await load(req)
        guard try await Self.canManage(group, req) else { throw req.actor.isSignedIn ? DemilgeError.forbidden : DemilgeError.signInRequired }
        let membership = try membership(req, group)
        guard membership.status == .requested else { throw DemilgeError.notFound }
        membership.status = MembershipStatus.member
        try await req.write { db in
            try await membership.update(on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "group.approve", entityType: "group", entityID: group.idString,
                                      after: ["user": membership.$user.id.uuidString.lowercased()])
        }
        req.flash("groups.approved")
        return req.redirect(to: .group(group.id))
    }

    /// Declines a request, withdraws an invitation or removes a member (never the coordinator).
    func remove(req: Request) async throws -> Response {
        let group = try await load(req)
        guard try await Self.canManage(group, req) else { throw req.actor.isSignedIn ? DemilgeError.forbidden : DemilgeError.signInRequired }
        let membership = try membership(req, group)
        guard membership.$user.id != group.$coordinator.id else { throw DemilgeError.forbidden }
        try await req.write { db in
            try await membership.delete(on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "group.remove", entityType: "group", entityID: group.idString,
                                      before: ["user": membership.$user.id.uuidString.lowercased(), "status": membership.status.rawValue])
        }
        req.flash("groups.removed")
        return req.redirect(to: .group(group.id))
    }
}
