import DemilgeCore
import Fluent
import Vapor

/// The commission's review: each reviewer first declares conflicts of interest, then scores every application
/// they may see, per criterion with a comment; nobody sees others' scores until all have scored. A conflict can
/// be declared for one application at any time before the reviewer scores it (applications submitted later
/// included), and withdrawn with a reason while the application is still being reviewed.
struct GrantReviewController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("grants", ":call", "review", use: page)
        routes.post("grants", ":call", "conflicts", use: declare)
        routes.post("applications", ":id", "conflict", use: declareOne)
        routes.post("applications", ":id", "conflict", "withdraw", use: withdraw)
        routes.post("applications", ":id", "scores", use: score)
    }

    struct Row: Encodable {
        let id: String, title: String, organisation: String, territory: String, requested: String, status: String
        let conflict: String, isConflicted: Bool, automatic: Bool, scored: Bool, reason: String, checked: Bool
        /// A conflict can still be declared, or a declared one withdrawn (the reviewer has not scored it, review goes on).
        let open: Bool, declaredReason: String
    }

    struct Content: Encodable {
        let callID: String, callTitle: String, declared: Bool, rows: [Row], hasRows: Bool, form: FormState, errors: [String], hasErrors: Bool
    }

    static let reviewable: Set<GrantStatus> = [.submitted, .eligible, .underReview, .scored]

    /// A refusal found only inside the transaction, under the application's lock.
    enum ReviewRefused: Error { case alreadyScored, conflicted }
    /// Statuses in which a conflict can be declared or withdrawn: before the review is complete.
    static let conflictOpen: Set<GrantStatus> = [.submitted, .eligible, .underReview]

    private func render(_ req: Request, _ call: GrantCall, form: FormState = FormState(), status: HTTPResponseStatus = .ok) async throws -> Response {
        let viewer = try await GrantViewer.load(req, call: call)
        guard let reviewer = viewer.reviewer else { throw DemilgeError.forbidden }
        let board = try await CallBoard.load(call, on: req.db)
        let rows = board.applications.filter { Self.reviewable.contains($0.status) || GrantDisplay.awarded.contains($0.status) }.map { application in
            let conflict = viewer.conflict(with: application)
            let id = GrantDisplay.id(application)
            let scored = board.sheets(of: application).contains { $0.$reviewer.id == reviewer.id }
            let declaration = board.conflicts.first { $0.$reviewer.id == reviewer.id && $0.$application.id == application.id }
            return Row(id: id, title: application.title, organisation: application.organisation.name.text(req.language),
                       territory: application.territory.name.text(req.language), requested: GrantDisplay.money(application.requestedTyiyn, req),
                       status: req.t(application.status.catalogKey), conflict: conflict.map { req.t("grants.conflict.\($0.rawValue)") } ?? "",
                       isConflicted: conflict != nil, automatic: conflict != nil && conflict != .declared,
                       scored: scored, reason: form["reason_\(id)"], checked: form["conflict_\(id)"] == "on",
                       open: !scored && Self.conflictOpen.contains(application.status), declaredReason: declaration?.reason ?? "")
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

    /// The declaration for the whole call: the reviewer ticks the applications they have a conflict with and
    /// confirms; it may be sent again later to add applications submitted since.
    func declare(req: Request) async throws -> Response {
        guard req.actor.isSignedIn else { throw DemilgeError.signInRequired }
        let call = try await GrantDisplay.loadCall(req)
        let viewer = try await GrantViewer.load(req, call: call)
        guard let reviewer = viewer.reviewer else { throw DemilgeError.forbidden }
        let board = try await CallBoard.load(call, on: req.db)
        let ids = board.applications.map(GrantDisplay.id)
        var form = FormState.read(req, fields: ids.flatMap { ["conflict_\($0)", "reason_\($0)"] })
        var declared: [GrantApplication] = []
        for application in board.applications where form["conflict_\(GrantDisplay.id(application))"] == "on" {
            let id = GrantDisplay.id(application)
            if board.conflicts.contains(where: { $0.$reviewer.id == reviewer.id && $0.$application.id == application.id }) { continue }
            if board.sheets(of: application).contains(where: { $0.$reviewer.id == reviewer.id }) || !Self.conflictOpen.contains(application.status) {
                form.fail("conflict_\(id)", req.t("grants.conflict_closed"))
            }
            form.requireText("reason_\(id)", length: 3...2000, req)
            declared.append(application)
        }
        guard form.isValid else { return try await render(req, call, form: form, status: .unprocessableEntity) }
        let reasons = declared.map { form["reason_\(GrantDisplay.id($0))"] }
        let applications = declared
        do {
            try await req.write { db in
                for (application, reason) in zip(applications, reasons) {
                    try await Self.record(reviewer, application, reason: reason, call: call, req, on: db)
                }
                if reviewer.declaredAt == nil {
                    reviewer.declaredAt = Date()
                    try await reviewer.update(on: db)
                }
                try await AuditLog.record(on: db, by: req.auditActor, action: "grant_call.conflicts", entityType: "grant_call",
                                          entityID: GrantDisplay.id(call), after: ["reviewer": req.currentUser?.email ?? "", "conflicts": String(applications.count)])
            }
        } catch ReviewRefused.alreadyScored {
            form.fail("declaration", req.t("grants.conflict_closed"))
            return try await render(req, call, form: form, status: .conflict)
        }
        req.flash("admin.saved")
        return req.redirect(to: "\(GrantDisplay.callPath(call))/review", redirectType: .normal)
    }

    /// The application in the address, and the signed-in user as a reviewer of its call (refused otherwise).
    private func asReviewer(_ req: Request) async throws -> (application: GrantApplication, viewer: GrantViewer, reviewer: GrantReviewer) {
        guard req.actor.isSignedIn else { throw DemilgeError.signInRequired }
        let application = try await GrantDisplay.loadApplication(req)
        let viewer = try await GrantViewer.load(req, call: application.call)
        guard let reviewer = viewer.reviewer else { throw DemilgeError.forbidden }
        return (application, viewer, reviewer)
    }

    /// A conflict with one application, declared from its page or the review list.
    func declareOne(req: Request) async throws -> Response {
        let (application, _, reviewer) = try await asReviewer(req)
        let call = application.call
        var form = FormState.read(req, fields: ["reason"])
        let board = try await CallBoard.load(call, on: req.db)
        let already = board.conflicts.contains { $0.$reviewer.id == reviewer.id && $0.$application.id == application.id }
        let scored = board.sheets(of: application).contains { $0.$reviewer.id == reviewer.id }
        if already { form.fail("reason", req.t("grants.already_declared"), .conflict) }
        else if scored || !Self.conflictOpen.contains(application.status) { form.fail("reason", req.t("grants.conflict_closed"), .conflict) }
        form.requireText("reason", length: 3...2000, req)
        guard form.isValid else {
            return try await GrantApplicationController.render(req, application, form: form, formName: "conflict", status: form.status)
        }
        let reason = form["reason"]
        do {
            try await req.write { db in try await Self.record(reviewer, application, reason: reason, call: call, req, on: db) }
        } catch ReviewRefused.alreadyScored {
            form.fail("reason", req.t("grants.conflict_closed"))
            return try await GrantApplicationController.render(req, application, form: form, formName: "conflict", status: .conflict)
        }
        req.flash("admin.saved")
        return req.redirect(to: GrantDisplay.applicationPath(application), redirectType: .normal)
    }

    /// Withdraws a declared conflict with a reason (the declaration stays on record); the reviewer then scores it.
    func withdraw(req: Request) async throws -> Response {
        let (application, _, reviewer) = try await asReviewer(req)
        var form = FormState.read(req, fields: ["reason"])
        let reviewerID = try reviewer.requireID(), applicationID = try application.requireID()
        let declaration = try await GrantConflict.query(on: req.db).filter(\.$reviewer.$id == reviewerID).filter(\.$application.$id == applicationID)
            .filter(\.$withdrawnAt == nil).first()
        if declaration == nil { form.fail("reason", req.t("grants.no_declared_conflict"), .conflict) }
        else if !Self.conflictOpen.contains(application.status) { form.fail("reason", req.t("grants.conflict_closed"), .conflict) }
        form.requireText("reason", length: 3...2000, req)
        guard form.isValid, let declaration else {
            return try await GrantApplicationController.render(req, application, form: form, formName: "conflict", status: form.status)
        }
        let reason = form["reason"]
        try await req.write { db in
            try await RowLock.lock(GrantApplication.schema, id: applicationID, on: db)
            declaration.withdrawnAt = Date()
            declaration.withdrawalReason = reason
            try await declaration.update(on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "grant.conflict_withdrawn", entityType: "grant_application",
                                      entityID: GrantDisplay.id(application), after: ["reviewer": req.currentUser?.email ?? "", "reason": reason])
        }
        req.flash("admin.saved")
        return req.redirect(to: GrantDisplay.applicationPath(application), redirectType: .normal)
    }

    /// Records (or renews, after a withdrawal) one declaration, and completes the review if this reviewer was the
    /// last one it waited for.
    static func record(_ reviewer: GrantReviewer, _ application: GrantApplication, reason: String, call: GrantCall,
                       _ req: Request, on db: any Database) async throws {
        let reviewerID = try reviewer.requireID(), applicationID = try application.requireID()
        try await RowLock.lock(GrantApplication.schema, id: applicationID, on: db)
        // Under the lock: a score sheet sent at the same moment has either landed (then no declaration) or will find this one.
        if try await GrantScoreSheet.query(on: db).filter(\.$reviewer.$id == reviewerID).filter(\.$application.$id == applicationID).first() != nil {
            throw ReviewRefused.alreadyScored
        }
        if let earlier = try await GrantConflict.query(on: db).filter(\.$reviewer.$id == reviewerID).filter(\.$application.$id == applicationID).first() {
            earlier.reason = reason
            earlier.withdrawnAt = nil
            earlier.withdrawalReason = nil
            try await earlier.update(on: db)
        } else {
            try await GrantConflict(reviewerID: reviewerID, applicationID: applicationID, reason: reason).create(on: db)
        }
        try await AuditLog.record(on: db, by: req.auditActor, action: "grant.conflict_declared", entityType: "grant_application",
                                  entityID: GrantDisplay.id(application), after: ["reviewer": req.currentUser?.email ?? "", "reason": reason])
        try await completeIfScored(application, call: call, req, on: db)
    }

    /// The review of an application is complete when every reviewer without a conflict has scored it (and at least
    /// one has): the server moves it to "scored". Call inside the transaction, with the application's row locked.
    static func completeIfScored(_ application: GrantApplication, call: GrantCall, _ req: Request, on db: any Database) async throws {
        let board = try await CallBoard.load(call, on: db)
        guard let current = board.applications.first(where: { $0.id == application.id }), current.status == .underReview,
              !board.sheets(of: current).isEmpty, board.revealed(current) else { return }
        application.status = current.status
        try await GrantMove.apply(application, to: .scored, reason: nil, as: .review, by: req, on: db)
    }

    func score(req: Request) async throws -> Response {
        let (application, viewer, reviewer) = try await asReviewer(req)
        let call = application.call
        guard viewer.conflict(with: application) == nil else { throw DemilgeError.forbidden }
        let criteria = call.criteria
        var form = FormState.read(req, fields: criteria.flatMap { ["score_\($0.key)", "comment_\($0.key)"] })
        if reviewer.declaredAt == nil { form.fail("score", req.t("grants.declare_first")) }
        else if application.status != .underReview || call.status != .review { form.fail("score", req.t("grants.not_under_review")) }
        var scores: [String: Int] = [:], comments: [String: String] = [:]
        for criterion in criteria {
            if let value = form.integer("score_\(criterion.key)", in: 0...criterion.max) { scores[criterion.key] = value }
            else { form.fail("score_\(criterion.key)", req.t("grants.score_range", ["max": String(criterion.max)])) }
            form.optionalText("comment_\(criterion.key)", max: 2000, req)
            comments[criterion.key] = form["comment_\(criterion.key)"]
        }
        guard form.isValid else { return try await GrantApplicationController.render(req, application, form: form, formName: "score", status: .unprocessableEntity) }
        let sheet = GrantScoreSheet()
        sheet.$reviewer.id = try reviewer.requireID()
        sheet.$application.id = try application.requireID()
        sheet.scores = scores
        sheet.comments = comments
        do {
            try await req.write { db in
                // Two reviewers' last sheets must see each other, or neither would complete the review; and a
                // conflict declared at the same moment must be seen.
                let applicationID = try application.requireID()
                try await RowLock.lock(GrantApplication.schema, id: applicationID, on: db)
                if try await GrantConflict.query(on: db).filter(\.$reviewer.$id == sheet.$reviewer.id).filter(\.$application.$id == applicationID)
                    .filter(\.$withdrawnAt == nil).first() != nil { throw ReviewRefused.conflicted }
                try await sheet.create(on: db)
                try await AuditLog.record(on: db, by: req.auditActor, action: "grant.score", entityType: "grant_application",
                                          entityID: GrantDisplay.id(application), after: ["reviewer": req.currentUser?.email ?? ""])
                try await Self.completeIfScored(application, call: call, req, on: db)
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            form.fail("score", req.t("grants.already_scored"))
            return try await GrantApplicationController.render(req, application, form: form, formName: "score", status: .conflict)
        } catch ReviewRefused.conflicted {
            throw DemilgeError.forbidden
        }
        req.flash("grants.scored_saved")
        return req.redirect(to: GrantDisplay.applicationPath(application), redirectType: .normal)
    }
}
