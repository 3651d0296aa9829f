import DemilgeCore
import Fluent
import Vapor

/// Applications: drafted and submitted by a member of the applicant organisation, checked against the call,
/// locked once submitted, and followed on one public page from the problem behind them to closure.
struct GrantApplicationController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("grants", ":call", "apply", use: newForm)
        routes.post("grants", ":call", "apply", use: create)
        routes.get("applications", ":id", use: show)
        routes.get("applications", ":id", "edit", use: editForm)
        routes.post("applications", ":id", use: update)
    }

    // MARK: - The form

    private func renderForm(_ req: Request, _ call: GrantCall, _ form: FormState, action: String, problems: [String] = [],
                            status: HTTPResponseStatus = .ok) async throws -> Response {
        let page = try await ApplicationFormPage.build(req, call, form, action: action, problems: problems)
        return try await req.page("grants/apply", titleKey: "grants.apply", page, forms: true, status: status)
    }

    func newForm(req: Request) async throws -> Response {
        guard req.actor.isSignedIn else { throw DemilgeError.signInRequired }
        let call = try await GrantDisplay.loadCall(req)
        guard call.status == .open else { throw DemilgeError.notFound }
        var form = FormState()
        form.values["lines"] = ""
        return try await renderForm(req, call, form, action: SitePath.callApply(call.id).path)
    }

    private func store(_ reading: ApplicationForm, into application: GrantApplication) throws {
        guard let organisation = reading.organisation, let territory = reading.territory else { throw DemilgeError.badRequest }
        application.$organisation.id = try organisation.requireID()
        application.$territory.id = try territory.requireID()
        application.$problem.id = reading.problem?.id
        application.$measure.id = reading.measure?.id
        application.title = reading.form["title"]
        application.summary = reading.form["summary"]
        application.goals = reading.form["goals"]
        application.activities = reading.activities
        application.requestedTyiyn = reading.requested
        application.totalTyiyn = reading.total
        application.beneficiaries = reading.beneficiaries
    }

    private func saveLines(_ lines: [BudgetLine], of applicationID: UUID, on db: any Database) async throws {
        try await GrantBudgetLine.query(on: db).filter(\.$application.$id == applicationID).delete()
        for (index, line) in lines.enumerated() { try await GrantBudgetLine(applicationID: applicationID, position: index + 1, line: line).create(on: db) }
    }

    func create(req: Request) async throws -> Response {
        guard req.actor.isSignedIn else { throw DemilgeError.signInRequired }
        let call = try await GrantDisplay.loadCall(req)
        let action = SitePath.callApply(call.id).path
        guard call.status == .open else {
            var form = FormState.read(req, fields: ApplicationForm.fields)
            form.fail("intent", req.t("grants.call_not_open"))
            return try await renderForm(req, call, form, action: action, status: .conflict)
        }
        var reading = try await ApplicationForm.read(req, call)
        if reading.submit && req.currentUser?.emailConfirmedMillis == nil { reading.problems.append(req.t("confirm.needed_to_submit")) }
        if let organisation = reading.organisation,
           try await GrantApplication.query(on: req.db).filter(\.$call.$id == (try call.requireID())).filter(\.$organisation.$id == (try organisation.requireID())).first() != nil {
            reading.form.fail("organisation", req.t("grants.already_applied"))
        }
        guard reading.form.isValid, reading.problems.isEmpty else {
            return try await renderForm(req, call, reading.form, action: action, problems: reading.problems, status: reading.form.status)
        }
        let application = GrantApplication()
        application.$call.id = (try call.requireID())
        application.status = GrantStatus.draft
        application.version = 1
        application.$createdBy.id = req.actor.userID
        try store(reading, into: application)
        let submit = reading.submit
        let lines = reading.lines
        do {
            try await req.write { db in
                try await application.create(on: db)
                try await self.saveLines(lines, of: (try application.requireID()), on: db)
                try await GrantTransition(applicationID: (try application.requireID()), from: nil, to: .draft, reason: nil, byName: req.currentUser?.displayName ?? "").create(on: db)
                try await AuditLog.record(on: db, by: req.auditActor, action: "grant.create", entityType: "grant_application",
                                          entityID: application.idString, after: application.snapshot)
                if let userID = req.actor.userID {
                    try await Notifier.follow(userID, .application, try application.requireID(), automatic: true, on: db)
                    try await Notifier.follow(userID, .call, try call.requireID(), automatic: true, on: db)
                }
                if submit { try await GrantMove.apply(application, to: .submitted, reason: nil, as: .applicant, by: req, on: db) }
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            reading.form.fail("organisation", req.t("grants.already_applied"))
            return try await renderForm(req, call, reading.form, action: action, status: .conflict)
        }
        req.flash(submit ? "grants.submitted" : "grants.draft_saved")
        return req.redirect(to: .application(application.id))
    }

    func editForm(req: Request) async throws -> Response {
        let application = try await GrantDisplay.loadApplication(req)
        let viewer = try await GrantViewer.load(req, call: application.call)
        guard req.actor.isSignedIn else { throw DemilgeError.signInRequired }
        guard viewer.isApplicant(application) else { throw DemilgeError.forbidden }
        guard application.status == .draft else { return try await Self.render(req, application, notice: "grants.locked", status: .conflict) }
        return try await renderForm(req, application.call, ApplicationForm.values(of: application, req), action: SitePath.application(application.id).path)
    }

    func update(req: Request) async throws -> Response {
        guard req.actor.isSignedIn else { throw DemilgeError.signInRequired }
        let application = try await GrantDisplay.loadApplication(req)
        let viewer = try await GrantViewer.load(req, call: application.call)
        guard viewer.isApplicant(application) else { throw DemilgeError.forbidden }
        guard application.status == .draft else { return try await Self.render(req, application, notice: "grants.locked", status: .conflict) }
        let call = application.call
        let action = SitePath.application(application.id).path
        var reading = try await ApplicationForm.read(req, call)
        if reading.submit && req.currentUser?.emailConfirmedMillis == nil { reading.problems.append(req.t("confirm.needed_to_submit")) }
        if call.status != .open && reading.submit { reading.problems.append(req.t("grants.call_not_open")) }
        guard reading.form.isValid, reading.problems.isEmpty else {
            return try await renderForm(req, call, reading.form, action: action, problems: reading.problems, status: reading.form.status)
        }
        let expected = VersionClaim.read(req.formFields["version"] ?? "") ?? -1
        try store(reading, into: application)
        let submit = reading.submit
        let lines = reading.lines
        let saved = try await req.write(version: application.version, expected: expected) { db -> Bool in
            guard try await VersionClaim.claim(GrantApplication.schema, id: (try application.requireID()), expected: expected, on: db) else { return false }
            application.version = expected + 1
            try await application.update(on: db)
            try await self.saveLines(lines, of: (try application.requireID()), on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "grant.update", entityType: "grant_application",
                                      entityID: application.idString, after: application.snapshot)
            if submit { try await GrantMove.apply(application, to: .submitted, reason: nil, as: .applicant, by: req, on: db) }
            return true
        }
        guard saved else {
            reading.form.failStale("intent", req)
            return try await renderForm(req, call, reading.form, action: action, status: .conflict)
        }
        req.flash(submit ? "grants.submitted" : "grants.draft_saved")
        return req.redirect(to: action, redirectType: .normal)
    }

    // MARK: - The application's page

    func show(req: Request) async throws -> Response {
        try await Self.render(req, try await GrantDisplay.loadApplication(req))
    }

    static func render(_ req: Request, _ application: GrantApplication, form: FormState = FormState(), formName: String = "",
                       notice: String? = nil, status: HTTPResponseStatus = .ok) async throws -> Response {
        let call = application.call
        let viewer = try await GrantViewer.load(req, call: call)
        if application.status == .draft && !viewer.isApplicant(application) && !viewer.isManager {
            throw req.actor.isSignedIn ? DemilgeError.forbidden : DemilgeError.signInRequired
        }
        var page = try await GrantPage.build(req, application, viewer: viewer, form: form, formName: formName, notice: notice)
        if application.status != .draft { page.follow = try await FollowButton.build(req, .application, application.id) }
        return try await req.page("grants/application", titleKey: "grants.application", page, forms: page.hasForms, title: application.title, status: status)
    }
}

extension String {
    var uuid: UUID? { UUID(uuidString: self) }
}

