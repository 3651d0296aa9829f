import DemilgeCore
import Fluent
import Vapor

/// Conflicts of interest: a reviewer's declaration for the whole call, or for one application at any time before
/// they score it, and its withdrawal with a reason while the review goes on.
struct ConflictController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.post("grants", ":call", "conflicts", use: declare)
        routes.post("applications", ":id", "conflict", use: declareOne)
        routes.post("applications", ":id", "conflict", "withdraw", use: withdraw)
    }

    /// The declaration for the whole call: the reviewer ticks the applications they have a conflict with and
    /// confirms; it may be sent again later to add applications submitted since.
    func declare(req: Request) async throws -> Response {
        guard req.actor.isSignedIn else { throw DemilgeError.signInRequired }
        let call = try await GrantDisplay.loadCall(req)
        let viewer = try await GrantViewer.load(req, call: call)
        guard let reviewer = viewer.reviewer else { throw DemilgeError.forbidden }
        let board = try await CallBoard.load(call, on: req.db)
        let ids = board.applications.map(\.idString)
        var form = FormState.read(req, fields: ids.flatMap { ["conflict_\($0)", "reason_\($0)"] })
        var declared: [GrantApplication] = []
        for application in board.applications where form["conflict_\(application.idString)"] == "on" {
            let id = application.idString
            if board.conflicts.contains(where: { $0.$reviewer.id == reviewer.id && $0.$application.id == application.id }) { continue }
            if board.sheets(of: application).contains(where: { $0.$reviewer.id == reviewer.id }) || !GrantReviewController.conflictOpen.contains(application.status) {
                form.fail("conflict_\(id)", req.t("grants.conflict_closed"))
            }
            form.requireText("reason_\(id)", length: 3...2000, req)
            declared.append(application)
        }
        guard form.isValid else { return try await GrantReviewController.render(req, call, form: form, status: .unprocessableEntity) }
        let reasons = declared.map { form["reason_\($0.idString)"] }
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
                                          entityID: call.idString, after: ["reviewer": req.currentUser?.email ?? "", "conflicts": String(applications.count)])
            }
        } catch GrantReviewController.ReviewRefused.alreadyScored {
            form.fail("declaration", req.t("grants.conflict_closed"))
            return try await GrantReviewController.render(req, call, form: form, status: .conflict)
        }
        req.flash("admin.saved")
        return req.redirect(to: .callReview(call.id))
    }

    /// A conflict with one application, declared from its page or the review list.
    func declareOne(req: Request) async throws -> Response {
        let (application, _, reviewer) = try await GrantReviewController.asReviewer(req)
        let call = application.call
        var form = FormState.read(req, fields: ["reason"])
        let board = try await CallBoard.load(call, on: req.db)
        let already = board.conflicts.contains { $0.$reviewer.id == reviewer.id && $0.$application.id == application.id }
        let scored = board.sheets(of: application).contains { $0.$reviewer.id == reviewer.id }
        if already { form.fail("reason", req.t("grants.already_declared"), .conflict) }
        else if scored || !GrantReviewController.conflictOpen.contains(application.status) { form.fail("reason", req.t("grants.conflict_closed"), .conflict) }
        form.requireText("reason", length: 3...2000, req)
        guard form.isValid else {
            return try await GrantApplicationController.render(req, application, form: form, formName: "conflict", status: form.status)
        }
        let reason = form["reason"]
        do {
            try await req.write { db in try await Self.record(reviewer, application, reason: reason, call: call, req, on: db) }
        } catch GrantReviewController.ReviewRefused.alreadyScored {
            form.fail("reason", req.t("grants.conflict_closed"))
            return try await GrantApplicationController.render(req, application, form: form, formName: "conflict", status: .conflict)
        }
        req.flash("admin.saved")
        return req.redirect(to: .application(application.id))
    }

    /// Withdraws a declared conflict with a reason (the declaration stays on record); the reviewer then scores it.
    func withdraw(req: Request) async throws -> Response {
        let (application, _, reviewer) = try await GrantReviewController.asReviewer(req)
        var form = FormState.read(req, fields: ["reason"])
        let reviewerID = try reviewer.requireID(), applicationID = try application.requireID()
        let declaration = try await GrantConflict.query(on: req.db).filter(\.$reviewer.$id == reviewerID).filter(\.$application.$id == applicationID)
            .filter(\.$withdrawnAt == nil).first()
        if declaration == nil { form.fail("reason", req.t("grants.no_declared_conflict"), .conflict) }
        else if !GrantReviewController.conflictOpen.contains(application.status) { form.fail("reason", req.t("grants.conflict_closed"), .conflict) }
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
                                      entityID: application.idString, after: ["reviewer": req.currentUser?.email ?? "", "reason": reason])
        }
        req.flash("admin.saved")
        return req.redirect(to: .application(application.id))
    }

    /// Records (or renews, after a withdrawal) one declaration, and completes the review if this reviewer was the
    /// last one it waited for.
    static func record(_ reviewer: GrantReviewer, _ application: GrantApplication, reason: String, call: GrantCall,
                       _ req: Request, on db: any Database) async throws {
        let reviewerID = try reviewer.requireID(), applicationID = try application.requireID()
        try await RowLock.lock(GrantApplication.schema, id: applicationID, on: db)
        // Under the lock: a score sheet sent at the same moment has either landed (then no declaration) or will find this one.
        if try await GrantScoreSheet.query(on: db).filter(\.$reviewer.$id == reviewerID).filter(\.$application.$id == applicationID).first() != nil {
            throw GrantReviewController.ReviewRefused.alreadyScored
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
                                  entityID: application.idString, after: ["reviewer": req.currentUser?.email ?? "", "reason": reason])
        try await GrantReviewController.completeIfScored(application, call: call, req, on: db)
    }
}
