import DemilgeCore
import Fluent
import Vapor

/// Calls for proposals: listed, opened and edited by a programme's manager with their terms and weighted criteria.
struct GrantCallController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("grants", use: index)
        routes.get("grants", "new", use: newForm)
        routes.post("grants", use: create)
        routes.get("grants", ":call", use: show)
        routes.get("grants", ":call", "edit", use: editForm)
        routes.post("grants", ":call", "edit", use: update)
    }

    // MARK: - List

    func index(req: Request) async throws -> Response {
        try await req.page("grants/index", titleKey: "grants.title", try await CallListPage.build(req))
    }

    // MARK: - New call

    private func renderNew(_ req: Request, _ form: FormState, kinds: Set<String>, criteriaErrors: [String] = [], action: String = "/grants",
                           status: HTTPResponseStatus = .ok) async throws -> Response {
        let page = try await CallFormPage.build(req, form, kinds: kinds, criteriaErrors: criteriaErrors, action: action)
        return try await req.page("grants/new", titleKey: page.isEdit ? "grants.edit_call" : "grants.new", page, forms: true, status: status)
    }

    func newForm(req: Request) async throws -> Response {
        guard req.actor.isSignedIn else { throw DemilgeError.signInRequired }
        guard Policy.allowsSomewhere(req.actor, .manageGrants) else { throw DemilgeError.forbidden }
        var form = FormState()
        form.values["criteria"] = CallTermsForm.defaultCriteria
        form.values["cofunding"] = "20"
        form.values["minimum_score"] = "50"
        return try await renderNew(req, form, kinds: [ApplicantKind.municipality.rawValue])
    }

    func create(req: Request) async throws -> Response {
        guard req.actor.isSignedIn else { throw DemilgeError.signInRequired }
        let terms = try await CallTermsForm.read(req)
        guard let apply = terms.apply else {
            return try await renderNew(req, terms.form, kinds: terms.kinds, criteriaErrors: terms.criteriaErrors, status: terms.form.status)
        }
        let call = GrantCall()
        apply(call)
        call.status = CallStatus.draft
        call.version = 1
        try await req.write { db in
            try await call.create(on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "grant_call.create", entityType: "grant_call",
                                      entityID: call.idString, after: call.snapshot)
        }
        req.flash("admin.saved")
        return req.redirect(to: .call(call.id))
    }

    // MARK: - Editing a draft call

    /// A call's terms can change only while it is a draft: once open, applicants rely on them.
    private func editable(_ req: Request) async throws -> GrantCall {
        guard req.actor.isSignedIn else { throw DemilgeError.signInRequired }
        let call = try await GrantDisplay.loadCall(req)
        try req.authorize(.manageGrants, on: Target(programmeID: call.$programme.id))
        return call
    }

    func editForm(req: Request) async throws -> Response {
        let call = try await editable(req)
        guard call.status == .draft else {
            var form = FormState()
            form.fail("status", req.t("grants.call_locked"))
            return try await Self.render(req, call, form: form, status: .conflict)
        }
        let codes = try await req.territoryDirectory().codes
        return try await renderNew(req, CallTermsForm.values(of: call, codes: codes, req.language), kinds: Set(call.applicantKinds.map(\.rawValue)), action: SitePath.callEdit(call.id).path)
    }

    func update(req: Request) async throws -> Response {
        let call = try await editable(req)
        let terms = try await CallTermsForm.read(req)
        guard call.status == .draft else {
            var form = FormState()
            form.fail("status", req.t("grants.call_locked"))
            return try await Self.render(req, call, form: form, status: .conflict)
        }
        let action = SitePath.callEdit(call.id).path
        guard let apply = terms.apply else {
            return try await renderNew(req, terms.form, kinds: terms.kinds, criteriaErrors: terms.criteriaErrors, action: action,
                                       status: terms.form.status)
        }
        let expected = terms.form.version ?? -1
        let saved = try await req.write(version: call.version, expected: expected) { db -> Bool in
            guard try await VersionClaim.claim(GrantCall.schema, id: (try call.requireID()), expected: expected, on: db) else { return false }
            let before = call.snapshot
            apply(call)
            call.version = expected + 1
            try await call.update(on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "grant_call.update", entityType: "grant_call",
                                      entityID: call.idString, before: before, after: call.snapshot)
            return true
        }
        guard saved else {
            var form = terms.form
            form.failStale("title", req)
            return try await renderNew(req, form, kinds: terms.kinds, action: action, status: .conflict)
        }
        req.flash("admin.saved")
        return req.redirect(to: .call(call.id))
    }

    // MARK: - The call's page

    func show(req: Request) async throws -> Response {
        let call = try await GrantDisplay.loadCall(req)
        guard call.status != .draft || req.can(.manageGrants, on: Target(programmeID: call.$programme.id)) else { throw DemilgeError.notFound }
        return try await Self.render(req, call)
    }

    static func render(_ req: Request, _ call: GrantCall, form: FormState = FormState(), status: HTTPResponseStatus = .ok) async throws -> Response {
        var page = try await CallPage.build(req, call, form: form)
        if call.status != .draft { page.follow = try await FollowButton.build(req, .call, call.id) }
        return try await req.page("grants/call", titleKey: "grants.title", page, forms: page.hasForms, title: call.title, status: status)
    }
}
