import DemilgeCore
import Fluent
import Vapor

/// What the municipality and moderators do with a raised problem: move its status (with a public reason), hide it or
/// a comment, merge a duplicate into another problem.
struct ProblemStewardController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.post("problems", ":id", "status", use: changeStatus)
        routes.post("problems", ":id", "moderation", use: moderate)
        routes.post("problems", ":id", "comments", ":comment", "moderation", use: moderateComment)
        routes.post("problems", ":id", "merge", use: merge)
    }

    func changeStatus(req: Request) async throws -> Response {
        let problem = try await ProblemController.load(req)
        try req.authorize(.changeProblemStatus, on: try await ProblemController.target(problem, req))
        var form = FormState.read(req, fields: ["to", "reason", "version"])
        form.optionalText("reason", max: 2000, req)
        let to = ProblemStatus(rawValue: form["to"])
        if let to {
            do { try ProblemLifecycle.check(from: problem.status, to: to, reason: form["reason"]) }
            catch .reasonRequired { form.fail("reason", req.t("error.problem.reason_required")) }
            catch { form.fail("to", req.t("error.problem.transition")) }
        } else {
            form.fail("to", req.t("validation.choose_from_list"))
        }
        if form.version != problem.version { form.failStale("to", req) }
        guard form.isValid, let to else { return try await ProblemController.render(req, problem, form: form, status: form.status) }
        let before = problem.snapshot
        let from = problem.status
        problem.status = to
        let reason = form["reason"]
        let saved = try await req.write { db -> Bool in
            guard try await VersionClaim.claim(Problem.schema, id: (try problem.requireID()), expected: problem.version, on: db) else { return false }
            problem.version = problem.version.saturatingAdding(1)
            try await problem.update(on: db)
            try await ProblemEvent(problemID: (try problem.requireID()), from: from, to: to, reason: reason).create(on: db)
            try await Notifier.tell(.init(kind: .status, subject: .problem, subjectID: try problem.requireID(), title: problem.title,
                                          detail: "problem.status.\(to.rawValue)", actor: req.currentUser?.id),
                                    .followers(of: .problem, try problem.requireID()), on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "problem.status", entityType: "problem",
                                      entityID: problem.idString, before: before, after: problem.snapshot)
            return true
        }
        guard saved else {
            form.failStale("to", req)
            return try await ProblemController.render(req, try await ProblemController.load(req), form: form, status: .conflict)
        }
        req.flash("problems.status_changed")
        return req.redirect(to: .problem(problem.id))
    }

    func moderate(req: Request) async throws -> Response {
        let problem = try await ProblemController.load(req)
        try req.authorize(.moderate, on: try await ProblemController.target(problem, req))
        var form = FormState.read(req, fields: ["hide", "reason"])
        let hide = form["hide"] == "1"
        if hide { form.requireText("reason", length: 3...500, req) }
        guard form.isValid else { return try await ProblemController.render(req, problem, form: form, status: .unprocessableEntity) }
        let before = problem.snapshot
        problem.hidden = hide
        problem.hiddenReason = hide ? form["reason"] : nil
        try await req.write { db in
            try await problem.update(on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: hide ? "problem.hide" : "problem.unhide", entityType: "problem",
                                      entityID: problem.idString, before: before, after: problem.snapshot)
        }
        req.flash(hide ? "problems.hidden" : "problems.unhidden")
        return req.redirect(to: .problem(problem.id))
    }

    func moderateComment(req: Request) async throws -> Response {
        let problem = try await ProblemController.load(req)
        try req.authorize(.moderate, on: try await ProblemController.target(problem, req))
        guard let commentID = req.parameters.get("comment").flatMap(UUID.init(uuidString:)),
              let comment = try await ProblemComment.query(on: req.db).filter(\.$id == commentID).filter(\.$problem.$id == (try problem.requireID())).first()
        else { throw DemilgeError.notFound }
        var form = FormState.read(req, fields: ["hide", "reason"])
        let hide = form["hide"] == "1"
        if hide { form.requireText("reason", length: 3...500, req) }
        guard form.isValid else { return try await ProblemController.render(req, problem, form: form, status: .unprocessableEntity) }
        comment.hidden = hide
        comment.hiddenReason = hide ? form["reason"] : nil
        try await req.write { db in
            try await comment.update(on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: hide ? "comment.hide" : "comment.unhide", entityType: "problem",
                                      entityID: problem.idString, after: ["comment": commentID.uuidString.lowercased(), "reason": comment.hiddenReason ?? ""])
        }
        req.flash(hide ? "problems.comment_hidden" : "problems.unhidden")
        return req.redirect(to: .problemComments(problem.id))
    }

    /// Merges a duplicate into another problem: its supporters now support the other one
    /// (each person still counts once), and its page leads there.
    func merge(req: Request) async throws -> Response {
        let duplicate = try await ProblemController.load(req)
        try req.authorize(.mergeProblems, on: try await ProblemController.target(duplicate, req))
        var form = FormState.read(req, fields: ["into"])
        let into = try await UUID(uuidString: form["into"]).asyncFlatMap { try await Problem.query(on: req.db).filter(\.$id == $0).with(\.$territory).first() }
        if into == nil || into?.id == duplicate.id || into?.isListed == false { form.fail("into", req.t("validation.choose_from_list")) }
        if let into, !req.can(.mergeProblems, on: try await ProblemController.target(into, req)) { form.fail("into", req.t("error.forbidden")) }
        guard form.isValid, let into else { return try await ProblemController.render(req, duplicate, form: form, status: .unprocessableEntity) }
        let (duplicateID, intoID) = ((try duplicate.requireID()), (try into.requireID()))
        try await req.write { db in
            let theirs = try await ProblemSupport.query(on: db).filter(\.$problem.$id == duplicateID).all()
            let already = Set(try await ProblemSupport.query(on: db).filter(\.$problem.$id == intoID).all().map(\.$user.id))
            for support in theirs {
                if already.contains(support.$user.id) { try await support.delete(on: db) }
                else { support.$problem.id = intoID; try await support.update(on: db) }
            }
            let total = try await ProblemSupport.query(on: db).filter(\.$problem.$id == intoID).count()
            let before = duplicate.snapshot
            duplicate.$mergedInto.id = intoID
            duplicate.supportCount = 0
            try await duplicate.update(on: db)
            try await Problem.query(on: db).filter(\.$id == intoID).set(\.$supportCount, to: total).update()
            try await AuditLog.record(on: db, by: req.auditActor, action: "problem.merge", entityType: "problem",
                                      entityID: duplicateID.uuidString.lowercased(), before: before, after: duplicate.snapshot)
        }
        req.flash("problems.merged")
        return req.redirect(to: .problem(intoID))
    }
}
