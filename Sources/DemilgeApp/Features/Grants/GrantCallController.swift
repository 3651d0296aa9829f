import DemilgeCore
import Fluent
import Vapor

/// Calls for proposals: opened by a programme's manager, with terms, weighted criteria and reviewers;
/// ranked within the budget and decided in public.
struct GrantCallController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("grants", use: index)
        routes.get("grants", "new", use: newForm)
        routes.post("grants", use: create)
        routes.get("grants", ":call", use: show)
        routes.get("grants", ":call", "edit", use: editForm)
        routes.post("grants", ":call", "edit", use: update)
        routes.post("grants", ":call", "status", use: advance)
        routes.post("grants", ":call", "reviewers", use: addReviewer)
        routes.post("grants", ":call", "decide", use: decide)
    }


    // MARK: - List

    func index(req: Request) async throws -> Response {
        struct Row: Encodable {
            let id: String, title: String, programme: String, budget: String, grantRange: String, deadline: String
            let status: String, statusKey: String, applications: Int, awarded: Int
        }
        struct Content: Encodable { let calls: [Row]; let canCreate: Bool }
        // A draft call is its programme's manager's work in progress: nobody else sees it.
        let calls = try await GrantCall.query(on: req.db).with(\.$programme).sort(\.$deadline, .descending).all()
            .filter { $0.status != .draft || req.can(.manageGrants, on: Target(programmeID: $0.$programme.id)) }
        let applications = try await GrantApplication.query(on: req.db).filter(\.$status != GrantStatus.draft).all()
        let byCall = Dictionary(grouping: applications, by: { $0.$call.id })
        return try await req.page("grants/index", titleKey: "grants.title", Content(
            calls: calls.map { call in
                let own = byCall[(try call.requireID())] ?? []
                return Row(id: GrantDisplay.id(call), title: call.title, programme: call.programme.name.text(req.language),
                           budget: GrantDisplay.money(call.budgetTyiyn, req),
                           grantRange: "\(GrantDisplay.money(call.minGrantTyiyn, req)) — \(GrantDisplay.money(call.maxGrantTyiyn, req))",
                           deadline: call.deadline.formatted(req.language), status: req.t(call.status.catalogKey), statusKey: call.status.rawValue,
                           applications: own.count, awarded: own.filter { GrantDisplay.awarded.contains($0.status) }.count)
            },
            canCreate: Policy.allowsSomewhere(req.actor, .manageGrants)))
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
                                      entityID: GrantDisplay.id(call), after: call.snapshot)
        }
        req.flash("admin.saved")
        return req.redirect(to: GrantDisplay.callPath(call), redirectType: .normal)
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
            return try await render(req, call, form: form, status: .conflict)
        }
        let codes = try await Territory.codes(on: req.db)
        return try await renderNew(req, CallTermsForm.values(of: call, codes: codes), kinds: Set(call.applicantKinds.map(\.rawValue)), action: "\(GrantDisplay.callPath(call))/edit")
    }

    func update(req: Request) async throws -> Response {
        let call = try await editable(req)
        let terms = try await CallTermsForm.read(req)
        guard call.status == .draft else {
            var form = FormState()
            form.fail("status", req.t("grants.call_locked"))
            return try await render(req, call, form: form, status: .conflict)
        }
        let action = "\(GrantDisplay.callPath(call))/edit"
        guard let apply = terms.apply else {
            return try await renderNew(req, terms.form, kinds: terms.kinds, criteriaErrors: terms.criteriaErrors, action: action,
                                       status: terms.form.status)
        }
        let expected = terms.form.version ?? -1
        let saved = try await req.write { db -> Bool in
            guard try await VersionClaim.claim(GrantCall.schema, id: (try call.requireID()), expected: expected, on: db) else { return false }
            let before = call.snapshot
            apply(call)
            call.version = expected + 1
            try await call.update(on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "grant_call.update", entityType: "grant_call",
                                      entityID: GrantDisplay.id(call), before: before, after: call.snapshot)
            return true
        }
        guard saved else {
            var form = terms.form
            form.failStale("title", req)
            return try await renderNew(req, form, kinds: terms.kinds, action: action, status: .conflict)
        }
        req.flash("admin.saved")
        return req.redirect(to: GrantDisplay.callPath(call), redirectType: .normal)
    }

    // MARK: - The call's page

    func show(req: Request) async throws -> Response {
        let call = try await GrantDisplay.loadCall(req)
        guard call.status != .draft || req.can(.manageGrants, on: Target(programmeID: call.$programme.id)) else { throw DemilgeError.notFound }
        return try await render(req, call)
    }

    func render(_ req: Request, _ call: GrantCall, form: FormState = FormState(), status: HTTPResponseStatus = .ok) async throws -> Response {
        let page = try await CallPage.build(req, call, form: form)
        return try await req.page("grants/call", titleKey: "grants.title", page, forms: true, title: call.title, status: status)
    }

    // MARK: - Manager's actions

    func advance(req: Request) async throws -> Response {
        let call = try await GrantDisplay.loadCall(req)
        try req.authorize(.manageGrants, on: Target(programmeID: call.$programme.id))
        guard let next = call.status.next, req.formFields["status"] == next.rawValue, next != .decided else {
            var form = FormState()
            form.fail("status", req.t("grants.call_move_refused"))
            return try await render(req, call, form: form, status: .conflict)
        }
        let expected = VersionClaim.read(req.formFields["version"] ?? "") ?? -1
        let moved = try await req.write { db -> Bool in
            guard try await VersionClaim.claim(GrantCall.schema, id: (try call.requireID()), expected: expected, on: db) else { return false }
            let before = call.snapshot
            call.status = next
            call.version = expected + 1
            try await call.update(on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "grant_call.\(next.rawValue)", entityType: "grant_call",
                                      entityID: GrantDisplay.id(call), before: before, after: call.snapshot)
            return true
        }
        guard moved else { throw DemilgeError.staleEdit }
        req.flash("admin.saved")
        return req.redirect(to: GrantDisplay.callPath(call), redirectType: .normal)
    }

    func addReviewer(req: Request) async throws -> Response {
        let call = try await GrantDisplay.loadCall(req)
        try req.authorize(.manageGrants, on: Target(programmeID: call.$programme.id))
        var form = FormState.read(req, fields: ["email"])
        let user = try await User.query(on: req.db).filter(\.$email == form["email"].lowercased()).first()
        if let user {
            if try await GrantReviewer.query(on: req.db).filter(\.$call.$id == (try call.requireID())).filter(\.$user.$id == (try user.requireID())).first() != nil {
                form.fail("email", req.t("grants.reviewer_already"))
            }
        } else { form.fail("email", req.t("grants.reviewer_unknown")) }
        guard form.isValid, let user else { return try await render(req, call, form: form, status: .unprocessableEntity) }
        try await req.write { db in
            try await GrantReviewer(callID: (try call.requireID()), userID: (try user.requireID())).create(on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "grant_call.reviewer", entityType: "grant_call",
                                      entityID: GrantDisplay.id(call), after: ["reviewer": user.email])
        }
        req.flash("admin.saved")
        return req.redirect(to: GrantDisplay.callPath(call), redirectType: .normal)
    }

    /// Applies the ranking: funded → approved, reserve list → reserve, below the minimum → rejected with the reason;
    /// the call is decided and its results public.
    func decide(req: Request) async throws -> Response {
        let call = try await GrantDisplay.loadCall(req)
        try req.authorize(.manageGrants, on: Target(programmeID: call.$programme.id))
        let expected = VersionClaim.read(req.formFields["version"] ?? "") ?? -1
        let minimum = String(call.minimumScore)
        let belowReason = req.t("grants.rank_below", ["minimum": minimum])
        guard call.version == expected else { throw DemilgeError.staleEdit }
        let decided: Bool
        do {
            decided = try await req.write { db -> Bool in
                guard try await VersionClaim.claim(GrantCall.schema, id: try call.requireID(), expected: expected, on: db) else { return false }
                // The board as it is now, inside the transaction: a score sheet that landed since the page was read counts.
                let board = try await CallBoard.load(call, on: db)
                let waiting = board.applications.filter { [.submitted, .eligible, .underReview].contains($0.status) }
                let ranking = board.ranking()
                // Thrown, not returned: the version claimed above must roll back with the refusal.
                guard call.status == .review, waiting.isEmpty, !ranking.isEmpty else { throw DecisionRefused(waiting: waiting.count) }
                let byID = Dictionary(firstValues: board.applications.map { (GrantDisplay.id($0), $0) })
                for line in ranking {
                    guard let application = byID[line.id], application.status == .scored else { continue }
                    switch line.decision {
                    case .funded: try await GrantMove.apply(application, to: .approved, reason: nil, as: .decision, by: req, on: db)
                    case .reserve(let position, _): try await GrantMove.apply(application, to: .reserve, reason: "#\(position)", as: .decision, by: req, on: db)
                    case .belowThreshold: try await GrantMove.apply(application, to: .rejected, reason: belowReason, as: .decision, by: req, on: db)
                    }
                }
                try await CallBudget.check(call, on: db)
                call.status = CallStatus.decided
                call.version = expected + 1
                try await call.update(on: db)
                try await AuditLog.record(on: db, by: req.auditActor, action: "grant_call.decided", entityType: "grant_call",
                                          entityID: GrantDisplay.id(call), after: call.snapshot)
                return true
            }
        } catch let refusal as DecisionRefused {
            var form = FormState()
            form.fail("decide", req.t(refusal.waiting == 0 ? "grants.decide_refused" : "grants.decide_waiting", ["count": String(refusal.waiting)]))
            return try await render(req, try await GrantDisplay.loadCall(req), form: form, status: .conflict)
        } catch let over as CallBudget.OverBudget {
            var form = FormState()
            form.fail("decide", req.t("grants.decision_over_budget", ["left": GrantDisplay.money(over.leftTyiyn, req)]))
            return try await render(req, try await GrantDisplay.loadCall(req), form: form, status: .conflict)
        }
        guard decided else { throw DemilgeError.staleEdit }
        req.flash("admin.saved")
        return req.redirect(to: GrantDisplay.callPath(call), redirectType: .normal)
    }

    struct DecisionRefused: Error { let waiting: Int }
}
