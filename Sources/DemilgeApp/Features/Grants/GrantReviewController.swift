import DemilgeCore
import Fluent
import Vapor

/// The commission's review: each reviewer first declares conflicts of interest, then scores every application
/// they may see, per criterion with a comment; nobody sees others' scores until all have scored.
struct GrantReviewController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("grants", ":call", "review", use: page)
        routes.post("grants", ":call", "conflicts", use: declare)
        routes.post("applications", ":id", "scores", use: score)
    }

    struct Row: Encodable {
        let id: String, title: String, organisation: String, territory: String, requested: String, status: String
        let conflict: String, isConflicted: Bool, automatic: Bool, scored: Bool, reason: String, checked: Bool
    }

    struct Content: Encodable {
        let callID: String, callTitle: String, declared: Bool, rows: [Row], hasRows: Bool, form: FormState, errors: [String], hasErrors: Bool
    }

    static let reviewable: Set<GrantStatus> = [.submitted, .eligible, .underReview, .scored]

    private func render(_ req: Request, _ call: GrantCall, form: FormState = FormState(), status: HTTPResponseStatus = .ok) async throws -> Response {
        let viewer = try await GrantViewer.load(req, call: call)
        guard let reviewer = viewer.reviewer else { throw DemilgeError.forbidden }
        let board = try await CallBoard.load(call, on: req.db)
        let rows = board.applications.filter { Self.reviewable.contains($0.grantStatus) || GrantDisplay.awarded.contains($0.grantStatus) }.map { application in
            let conflict = viewer.conflict(with: application)
            let id = GrantDisplay.id(application)
            return Row(id: id, title: application.title, organisation: application.organisation.name.text(req.language),
                       territory: application.territory.name.text(req.language), requested: GrantDisplay.money(application.requestedTyiyn, req),
                       status: req.t(application.grantStatus.catalogKey), conflict: conflict.map { req.t("grants.conflict.\($0.rawValue)") } ?? "",
                       isConflicted: conflict != nil, automatic: conflict != nil && conflict != .declared,
                       scored: board.sheets(of: application).contains { $0.$reviewer.id == reviewer.id },
                       reason: form["reason_\(id)"], checked: form["conflict_\(id)"] == "on")
        }
        return try await req.page("grants/review", titleKey: "grants.review", Content(
            callID: GrantDisplay.id(call), callTitle: call.title, declared: reviewer.declaredAt != nil, rows: rows, hasRows: !rows.isEmpty, form: form,
            errors: form.errors.sorted { $0.key < $1.key }.map(\.value), hasErrors: !form.errors.isEmpty),
            forms: true, status: status)
    }

    func page(req: Request) async throws -> Response {
        guard req.actor.isSignedIn else { throw DemilgeError.signInRequired }
        return try await render(req, try await GrantDisplay.loadCall(req))
    }

    /// The declaration is made once, before any scoring; a declared conflict hides the application from the reviewer.
    func declare(req: Request) async throws -> Response {
        guard req.actor.isSignedIn else { throw DemilgeError.signInRequired }
        let call = try await GrantDisplay.loadCall(req)
        let viewer = try await GrantViewer.load(req, call: call)
        guard let reviewer = viewer.reviewer else { throw DemilgeError.forbidden }
        let board = try await CallBoard.load(call, on: req.db)
        let ids = board.applications.map(GrantDisplay.id)
        var form = FormState.read(req, fields: ids.flatMap { ["conflict_\($0)", "reason_\($0)"] })
        if reviewer.declaredAt != nil { form.fail("declaration", req.t("grants.already_declared")) }
        var declared: [(UUID, String)] = []
        for application in board.applications {
            let id = GrantDisplay.id(application)
            guard form["conflict_\(id)"] == "on" else { continue }
            if form["reason_\(id)"].isEmpty { form.fail("reason_\(id)", req.t("grants.reason_required")) }
            declared.append((application.id!, form["reason_\(id)"]))
        }
        guard form.isValid else { return try await render(req, call, form: form, status: .unprocessableEntity) }
        let conflicts = declared
        try await req.write { db in
            for (applicationID, reason) in conflicts { try await GrantConflict(reviewerID: reviewer.id!, applicationID: applicationID, reason: reason).create(on: db) }
            reviewer.declaredAt = Date()
            try await reviewer.update(on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "grant_call.conflicts", entityType: "grant_call",
                                      entityID: GrantDisplay.id(call), after: ["reviewer": req.currentUser?.email ?? "", "conflicts": String(conflicts.count)])
        }
        req.flash("admin.saved")
        return req.redirect(to: "\(GrantDisplay.callPath(call))/review", redirectType: .normal)
    }

    func score(req: Request) async throws -> Response {
        guard req.actor.isSignedIn else { throw DemilgeError.signInRequired }
        let application = try await GrantDisplay.loadApplication(req)
        let call = application.call
        let viewer = try await GrantViewer.load(req, call: call)
        guard let reviewer = viewer.reviewer else { throw DemilgeError.forbidden }
        guard viewer.conflict(with: application) == nil else { throw DemilgeError.forbidden }
        let criteria = call.criteria
        var form = FormState.read(req, fields: criteria.flatMap { ["score_\($0.key)", "comment_\($0.key)"] })
        if reviewer.declaredAt == nil { form.fail("score", req.t("grants.declare_first")) }
        else if application.grantStatus != .underReview || call.callStatus != .review { form.fail("score", req.t("grants.not_under_review")) }
        var scores: [String: Int] = [:], comments: [String: String] = [:]
        for criterion in criteria {
            if let value = Int(form["score_\(criterion.key)"]), (0...criterion.max).contains(value) { scores[criterion.key] = value }
            else { form.fail("score_\(criterion.key)", req.t("grants.score_range", ["max": String(criterion.max)])) }
            form.optionalText("comment_\(criterion.key)", max: 2000, req)
            comments[criterion.key] = form["comment_\(criterion.key)"]
        }
        guard form.isValid else { return try await GrantApplicationController.render(req, application, form: form, formName: "score", status: .unprocessableEntity) }
        let sheet = GrantScoreSheet()
        sheet.$reviewer.id = reviewer.id!
        sheet.$application.id = application.id!
        sheet.scores = scores
        sheet.comments = comments
        do {
            try await req.write { db in
                try await sheet.create(on: db)
                try await AuditLog.record(on: db, by: req.auditActor, action: "grant.score", entityType: "grant_application",
                                          entityID: GrantDisplay.id(application), after: ["reviewer": req.currentUser?.email ?? ""])
                // The last unconflicted reviewer's sheet completes the review.
                let board = try await CallBoard.load(call, on: db)
                if board.revealed(application) {
                    try await GrantMove.apply(application, to: .scored, reason: nil, as: .commission, by: req, on: db)
                }
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            form.fail("score", req.t("grants.already_scored"))
            return try await GrantApplicationController.render(req, application, form: form, formName: "score", status: .conflict)
        }
        req.flash("grants.scored_saved")
        return req.redirect(to: GrantDisplay.applicationPath(application), redirectType: .normal)
    }
}
