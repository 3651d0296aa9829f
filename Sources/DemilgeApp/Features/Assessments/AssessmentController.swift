import DemilgeCore
import Fluent
import Vapor

/// Needs-assessment sessions (ЖМБА / СИНС): recorded with their focus groups by sex and age, and shown with the
/// community's priority list in which every group weighs the same (rankings are `RankingController`'s).
struct AssessmentController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("assessments", use: index)
        routes.get("assessments", "new", use: newForm)
        routes.post("assessments", use: create)
        routes.get("assessments", ":id", use: show)
        routes.post("assessments", ":id", "groups", use: addGroup)
    }

    // MARK: - List and create

    func index(req: Request) async throws -> Response {
        try await req.page("assessments/index", titleKey: "assessments.title", try await SessionListPage.build(req))
    }

    private func renderNew(_ req: Request, _ form: FormState, status: HTTPResponseStatus = .ok) async throws -> Response {
        try await req.territoryForm("assessments/new", titleKey: "assessments.new", form, status: status)
    }

    func newForm(req: Request) async throws -> Response {
        guard req.actor.isSignedIn else { throw DemilgeError.signInRequired }
        return try await renderNew(req, FormState())
    }

    func create(req: Request) async throws -> Response {
        guard req.actor.isSignedIn else { throw DemilgeError.signInRequired }
        var form = FormState.read(req, fields: ["territory", "held_on", "place", "facilitators", "notes"])
        form.requireText("place", length: 2...200, req)
        form.requireText("facilitators", length: 2...300, req)
        form.optionalText("notes", max: 5000, req)
        form.requireDay("held_on", req)
        let territory = try await Territory.query(on: req.db).filter(\.$code == form["territory"]).first()
        if territory == nil { form.fail("territory", req.t("validation.choose_from_list")) }
        if let territory, form.errors["territory"] == nil {
            // Refused without changing anything: the form is shown again with the reason.
            if !req.can(.recordFieldWork, on: try await TerritoryPath.target((try territory.requireID()), on: req.db)) {
                form.fail("territory", req.t("assessments.not_your_territory"), .forbidden)
            }
        }
        guard form.isValid, let territory else {
            return try await renderNew(req, form, status: form.status)
        }
        let session = AssessmentSession()
        session.$territory.id = (try territory.requireID())
        session.heldOn = try Day(stored: form["held_on"])
        session.place = form["place"]
        session.facilitators = form["facilitators"]
        session.notes = form["notes"]
        try await req.write { db in
            try await session.create(on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "assessment.create", entityType: "assessment",
                                      entityID: session.idString, after: session.snapshot)
        }
        req.flash("assessments.created")
        return req.redirect(to: .assessment(session.id))
    }

    // MARK: - The session's page

    static func load(_ req: Request) async throws -> AssessmentSession {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
              let session = try await AssessmentSession.query(on: req.db).filter(\.$id == id).with(\.$territory)
                .with(\.$groups, { $0.with(\.$rankings) }).first() else { throw DemilgeError.notFound }
        return session
    }

    func show(req: Request) async throws -> Response {
        try await render(req, try await Self.load(req))
    }

    private func render(_ req: Request, _ session: AssessmentSession, form: FormState = FormState(), status: HTTPResponseStatus = .ok) async throws -> Response {
        let page = try await SessionPage.build(req, session, form: form)
        return try await req.page("assessments/show", titleKey: "assessments.session_title", titleArguments: ["place": session.territory.name.text(req.language)],
                                  page, status: status)
    }

    // MARK: - Focus groups and their rankings

    func addGroup(req: Request) async throws -> Response {
        let session = try await Self.load(req)
        try req.authorize(.recordFieldWork, on: try await TerritoryPath.target(session.$territory.id, on: req.db))
        let countFields = Participants.allKeys.map(\.key)
        var form = FormState.read(req, fields: ["kind", "label"] + countFields)
        let kind = FocusGroupKind(rawValue: form["kind"])
        if kind == nil { form.fail("kind", req.t("validation.choose_from_list")) }
        if session.groups.count >= Prioritization.maximumGroups { form.fail("kind", req.t("error.priorities.too_many_groups")) }
        if kind == .custom { form.requireText("label", length: 2...80, req) } else { form.optionalText("label", max: 80, req) }
        var participants = Participants()
        do { participants = try Participants.parse(form.values) }
        catch .notACount(let field), .tooMany(let field) {
            form.fail(field, req.t("validation.count"))
            form.fail("participants", req.t("validation.count"))
        }
        catch { form.fail("participants", req.t("assessments.no_participants")) }
        guard form.isValid, let kind else { return try await render(req, session, form: form, status: .unprocessableEntity) }
        let group = FocusGroup()
        group.$session.id = (try session.requireID())
        group.kind = kind
        group.label = form.optional("label")
        group.participants = participants
        let participantCount = participants.total
        try await req.write { db in
            try await group.create(on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "assessment.group", entityType: "assessment",
                                      entityID: session.idString,
                                      after: ["group": group.idString, "kind": group.kind.rawValue, "participants": String(participantCount)])
        }
        req.flash("assessments.group_added")
        return req.redirect(to: .ranking(session: session.id, group: group.id))
    }
}
