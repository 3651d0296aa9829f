import DemilgeCore
import Fluent
import Vapor

/// The commission's review: each reviewer scores every application they may see, per criterion with a comment;
/// nobody sees others' scores until all have scored. Conflicts of interest, declared first, are
/// `ConflictController`'s.
struct GrantReviewController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("grants", ":call", "review", use: page)
        routes.post("applications", ":id", "scores", use: score)
    }

    static let reviewable: Set<GrantStatus> = [.submitted, .eligible, .underReview, .scored]

    /// A refusal found only inside the transaction, under the application's lock.
    enum ReviewRefused: Error { case alreadyScored, conflicted }
    /// Statuses in which a conflict can be declared or withdrawn: before the review is complete.
    static let conflictOpen: Set<GrantStatus> = [.submitted, .eligible, .underReview]

    static func render(_ req: Request, _ call: GrantCall, form: FormState = FormState(), status: HTTPResponseStatus = .ok) async throws -> Response {
        try await req.page("grants/review", titleKey: "grants.review", try await ReviewPage.build(req, call, form: form), forms: true, status: status)
    }

    func page(req: Request) async throws -> Response {
        guard req.actor.isSignedIn else { throw DemilgeError.signInRequired }
        return try await Self.render(req, try await GrantDisplay.loadCall(req))
    }

    /// The application in the address, and the signed-in user as a reviewer of its call (refused otherwise).
    static func asReviewer(_ req: Request) async throws -> (application: GrantApplication, viewer: GrantViewer, reviewer: GrantReviewer) {
        guard req.actor.isSignedIn else { throw DemilgeError.signInRequired }
        let application = try await GrantDisplay.loadApplication(req)
        let viewer = try await GrantViewer.load(req, call: application.call)
        guard let reviewer = viewer.reviewer else { throw DemilgeError.forbidden }
        return (application, viewer, reviewer)
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
        let (application, viewer, reviewer) = try await Self.asReviewer(req)
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
                                          entityID: application.idString, after: ["reviewer": req.currentUser?.email ?? ""])
                try await Self.completeIfScored(application, call: call, req, on: db)
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            form.fail("score", req.t("grants.already_scored"))
            return try await GrantApplicationController.render(req, application, form: form, formName: "score", status: .conflict)
        } catch ReviewRefused.conflicted {
            throw DemilgeError.forbidden
        }
        req.flash("grants.scored_saved")
        return req.redirect(to: .application(application.id))
    }
}
