import DemilgeCore
import Fluent
import SQLKit
import Vapor

struct ProblemController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("problems", use: index)
        routes.get("problems", "new", use: newForm)
        routes.on(.POST, "problems", body: .collect(maxSize: BodyLimits.upload), use: create)
        routes.get("problems", ":id", use: show)
        routes.get("problems", ":id", "photo", use: photo)
        routes.post("problems", ":id", "support", use: support)
        routes.post("problems", ":id", "comments", use: comment)
    }

    // MARK: - Listing

    func index(req: Request) async throws -> Response {
        try await req.page("problems/index", titleKey: "problems.title", try await ProblemListPage.build(req, filters: try await ProblemFilters(req)))
    }

    // MARK: - Raising a problem

    private func renderForm(_ req: Request, _ form: FormState, status: HTTPResponseStatus = .ok) async throws -> Response {
        try await req.page("problems/new", titleKey: "problems.new", try await ProblemFormPage.build(req, form), forms: true, status: status)
    }

    func newForm(req: Request) async throws -> Response {
        try req.authorize(.raiseProblem)
        var form = FormState()
        form.values["territory"] = req.query["territory"] ?? ""
        return try await renderForm(req, form)
    }

    struct PhotoUpload: Content { var photo: File? }

    func create(req: Request) async throws -> Response {
        try req.authorize(.raiseProblem)
        let user = try req.requireUser()
        var form = FormState.read(req, fields: ["title", "description", "category", "territory", "group"])
        form.requireText("title", length: 5...150, req)
        form.requireText("description", length: 10...5000, req)
        let category = ProblemCategory(rawValue: form["category"])
        if category == nil { form.fail("category", req.t("validation.choose_from_list")) }
        let territory = try await Territory.query(on: req.db).filter(\.$code == form["territory"]).first()
        if territory == nil { form.fail("territory", req.t("validation.choose_from_list")) }
        var photo: Uploads.Photo? = nil
        if let file = (try? req.content.decode(PhotoUpload.self))?.photo, file.data.readableBytes > 0 {
            switch Uploads.check(file) {
            case .success(let checked): photo = checked
            case .failure(.tooLarge): form.fail("photo", req.t("problems.photo_too_large"))
            case .failure(.notAPhoto): form.fail("photo", req.t("problems.photo_type"))
            }
        }
        var group: InitiativeGroup? = nil
        if !form["group"].isEmpty {
            group = try await ProblemFormPage.myGroups(req).first { $0.idString == form["group"].lowercased() }
            if group == nil { form.fail("group", req.t("problems.not_your_group")) }
        }
        guard form.isValid, let category, let territory else { return try await renderForm(req, form, status: .unprocessableEntity) }
        let problem = Problem(title: form["title"], description: form["description"], category: category, territoryID: (try territory.requireID()), authorID: user.id)
        problem.$group.id = group?.id
        let userID = try user.requireID()
        let quotas: [Quota.Kind] = photo == nil ? [.problems] : [.problems, .photos]
        if let photo { problem.photo = try Uploads.save(photo, app: req.application) }
        do {
            try await req.write { db in
                try await Quota.check(quotas, user: userID, actor: req.actor, on: db)
                try await problem.create(on: db)
                try await ProblemEvent(problemID: (try problem.requireID()), from: nil, to: .raised, reason: "").create(on: db)
                try await Notifier.follow(userID, .problem, try problem.requireID(), automatic: true, on: db)
                try await AuditLog.record(on: db, by: req.auditActor, action: "problem.raise", entityType: "problem",
                                          entityID: problem.idString, after: problem.snapshot)
            }
        } catch {
            // Nothing was stored: neither is the photo.
            if let name = problem.photo { Uploads.remove(name, app: req.application) }
            guard let exceeded = error as? Quota.Exceeded else { throw error }
            form.fail(exceeded.kind == .photos ? "photo" : "title", Quota.message(exceeded, req))
            return try await renderForm(req, form, status: .tooManyRequests)
        }
        req.flash("problems.raised")
        return req.redirect(to: .problem(problem.id))
    }

    // MARK: - The problem's page

    static func load(_ req: Request) async throws -> Problem {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
              let problem = try await Problem.query(on: req.db).filter(\.$id == id).with(\.$territory).first() else { throw DemilgeError.notFound }
        if problem.hidden, !req.can(.moderate) { throw DemilgeError.notFound }
        return problem
    }

    static func target(_ problem: Problem, _ req: Request) async throws -> Target {
        try await TerritoryPath.target(problem.$territory.id, on: req.db)
    }

    func show(req: Request) async throws -> Response {
        if let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
           let merged = try await Problem.find(id, on: req.db), let into = merged.$mergedInto.id {
            return req.redirect(to: SitePath.problem(into).path, redirectType: .permanent)
        }
        return try await Self.render(req, try await Self.load(req))
    }

    static func render(_ req: Request, _ problem: Problem, form: FormState = FormState(), status: HTTPResponseStatus = .ok) async throws -> Response {
        var page = try await ProblemPage.build(req, problem, form: form)
        page.follow = try await FollowButton.build(req, .problem, problem.id)
        return try await req.page("problems/show", titleKey: "", page, title: problem.title, status: status)
    }

    func photo(req: Request) async throws -> Response {
        let problem = try await Self.load(req)
        guard let name = problem.photo, Uploads.isStoredName(name) else { throw DemilgeError.notFound }
        let path = Uploads.directory(req.application).appendingPathComponent(name).path
        let response = try await req.fileio.asyncStreamFile(at: path)
        response.headers.replaceOrAdd(name: .contentType, value: name.hasSuffix(".png") ? "image/png" : "image/jpeg")
        return response
    }

    // MARK: - Taking part

    func support(req: Request) async throws -> Response {
        try req.authorize(.supportProblem)
        let problem = try await Self.load(req)
        let user = try req.requireUser()
        let problemID = (try problem.requireID())
        let added = try await req.write { db -> Bool in
            if try await ProblemSupport.query(on: db).filter(\.$problem.$id == problemID).filter(\.$user.$id == (try user.requireID())).first() != nil { return false }
            do {
                try await ProblemSupport(problemID: problemID, userID: (try user.requireID())).create(on: db)
            } catch let error as any DatabaseError where error.isConstraintFailure {
                return false
            }
            try await (db as? any SQLDatabase)?.update(Problem.schema)
                .set(SQLIdentifier("support_count"), to: SQLBinaryExpression(SQLIdentifier("support_count"), .add, SQLLiteral.numeric("1")))
                .where("id", .equal, problemID).run()
            try await Notifier.follow(try user.requireID(), .problem, problemID, automatic: true, on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "problem.support", entityType: "problem",
                                      entityID: problemID.uuidString.lowercased())
            return true
        }
        req.flash(added ? "problems.supported" : "problems.already_supported")
        return req.redirect(to: .problem(problemID))
    }

    func comment(req: Request) async throws -> Response {
        try req.authorize(.comment)
        let problem = try await Self.load(req)
        let user = try req.requireUser()
        var form = FormState.read(req, fields: ["body"])
        form.requireText("body", length: 2...2000, req)
        guard form.isValid else { return try await Self.render(req, problem, form: form, status: .unprocessableEntity) }
        let comment = ProblemComment()
        comment.$problem.id = (try problem.requireID())
        comment.$author.id = (try user.requireID())
        comment.body = form["body"]
        comment.hidden = false
        let userID = try user.requireID()
        do {
            try await req.write { db in
                try await Quota.check([.comments], user: userID, actor: req.actor, on: db)
                try await comment.create(on: db)
                try await Notifier.tell(.init(kind: .comment, subject: .problem, subjectID: try problem.requireID(), title: problem.title,
                                              detail: "", actor: userID), .followers(of: .problem, try problem.requireID()), on: db)
                try await AuditLog.record(on: db, by: req.auditActor, action: "problem.comment", entityType: "problem",
                                          entityID: problem.idString, after: ["comment": comment.idString])
            }
        } catch let exceeded as Quota.Exceeded {
            form.fail("body", Quota.message(exceeded, req))
            return try await Self.render(req, problem, form: form, status: .tooManyRequests)
        }
        req.flash("problems.commented")
        return req.redirect(to: .problemComments(problem.id))
    }
}
