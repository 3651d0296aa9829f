import DemilgeCore
import Fluent
import Vapor

/// A programme manager's moves on a call: from status to status, reviewers, and the decision — ranked within the
/// budget and published.
struct CallDecisionController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.post("grants", ":call", "status", use: advance)
        routes.post("grants", ":call", "reviewers", use: addReviewer)
        routes.post("grants", ":call", "decide", use: decide)
    }

    func advance(req: Request) async throws -> Response {
        let call = try await GrantDisplay.loadCall(req)
        try req.authorize(.manageGrants, on: Target(programmeID: call.$programme.id))
        guard let next = call.status.next, req.formFields["status"] == next.rawValue, next != .decided else {
            var form = FormState()
            form.fail("status", req.t("grants.call_move_refused"))
            return try await GrantCallController.render(req, call, form: form, status: .conflict)
        }
        let expected = VersionClaim.read(req.formFields["version"] ?? "") ?? -1
        let moved = try await req.write(version: call.version, expected: expected) { db -> Bool in
            guard try await VersionClaim.claim(GrantCall.schema, id: (try call.requireID()), expected: expected, on: db) else { return false }
            let before = call.snapshot
            call.status = next
            call.version = expected + 1
            try await call.update(on: db)
            try await Notifier.tell(.init(kind: .status, subject: .call, subjectID: try call.requireID(), title: call.title,
                                          detail: "grants.call_status.\(next.rawValue)", actor: req.currentUser?.id),
                                    .followers(of: .call, try call.requireID()), on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "grant_call.\(next.rawValue)", entityType: "grant_call",
                                      entityID: call.idString, before: before, after: call.snapshot)
            return true
        }
        guard moved else { throw DemilgeError.staleEdit }
        req.flash("admin.saved")
        return req.redirect(to: .call(call.id))
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
        guard form.isValid, let user else { return try await GrantCallController.render(req, call, form: form, status: .unprocessableEntity) }
        try await req.write { db in
            try await GrantReviewer(callID: (try call.requireID()), userID: (try user.requireID())).create(on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "grant_call.reviewer", entityType: "grant_call",
                                      entityID: call.idString, after: ["reviewer": user.email])
        }
        req.flash("admin.saved")
        return req.redirect(to: .call(call.id))
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
                let byID = Dictionary(firstValues: board.applications.map { ($0.idString, $0) })
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
                try await Notifier.tell(.init(kind: .decision, subject: .call, subjectID: try call.requireID(), title: call.title,
                                              detail: "grants.call_status.decided", actor: req.currentUser?.id),
                                        .followers(of: .call, try call.requireID()), on: db)
                try await AuditLog.record(on: db, by: req.auditActor, action: "grant_call.decided", entityType: "grant_call",
                                          entityID: call.idString, after: call.snapshot)
                return true
            }
        } catch let refusal as DecisionRefused {
            var form = FormState()
            form.fail("decide", req.t(refusal.waiting == 0 ? "grants.decide_refused" : "grants.decide_waiting", ["count": String(refusal.waiting)]))
            return try await GrantCallController.render(req, try await GrantDisplay.loadCall(req), form: form, status: .conflict)
        } catch let over as CallBudget.OverBudget {
            var form = FormState()
            form.fail("decide", req.t("grants.decision_over_budget", ["left": GrantDisplay.money(over.leftTyiyn, req)]))
            return try await GrantCallController.render(req, try await GrantDisplay.loadCall(req), form: form, status: .conflict)
        }
        guard decided else { throw DemilgeError.staleEdit }
        req.flash("admin.saved")
        return req.redirect(to: .call(call.id))
    }

    struct DecisionRefused: Error { let waiting: Int }
}
