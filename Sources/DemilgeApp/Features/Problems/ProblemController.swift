import DemilgeCore
import Fluent
import SQLKit
import Vapor

struct ProblemController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("problems", use: index)
        routes.get("problems.csv", use: exportCSV)
        routes.get("problems.json", use: exportJSON)
        routes.get("problems", "new", use: newForm)
        routes.on(.POST, "problems", body: .collect(maxSize: BodyLimits.upload), use: create)
        routes.get("problems", ":id", use: show)
        routes.get("problems", ":id", "photo", use: photo)
        routes.post("problems", ":id", "support", use: support)
        routes.post("problems", ":id", "comments", use: comment)
        routes.post("problems", ":id", "status", use: changeStatus)
        routes.post("problems", ":id", "moderation", use: moderate)
        routes.post("problems", ":id", "comments", ":comment", "moderation", use: moderateComment)
        routes.post("problems", ":id", "merge", use: merge)
    }

    // MARK: - Listing

    struct IndexContent: Encodable {
        let problems: [ProblemRow]
        let categories: [Option]
        let statuses: [Option]
        let places: [PlaceGroup]
        let sortByDate: Bool
        let query: String
        let canRaise: Bool
    }

    func index(req: Request) async throws -> Response {
        let filters = try await ProblemFilters(req)
        let problems = try await filters.listed(on: req.db, limit: 200)
        let query = ["territory", "category", "status", "sort"].compactMap { key -> String? in
            guard let value: String = req.query[key] else { return nil }
            return "\(key)=\(value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
        }.joined(separator: "&")
        return try await req.page("problems/index", titleKey: "problems.title", IndexContent(
            problems: problems.map { ProblemRow.of($0, req) },
            categories: ProblemCategory.allCases.map { .init(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0 == filters.category) },
            statuses: ProblemStatus.allCases.map { .init(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0 == filters.status) },
            places: try await PlaceGroup.choices(req, selected: filters.territory?.code ?? "", includeTopLevel: true),
            sortByDate: !filters.sortBySupport, query: query, canRaise: req.actor.isSignedIn))
    }

    // MARK: - Raising a problem

    struct FormContent: Encodable {
        let form: FormState
        let categories: [Option]
        let places: [PlaceGroup]
        let groups: [Option]
    }

    /// The initiative groups the signed-in person is a member of.
    private func myGroups(_ req: Request) async throws -> [InitiativeGroup] {
        guard let userID = req.actor.userID else { return [] }
        let ids = try await GroupMembership.query(on: req.db).filter(\.$user.$id == userID).filter(\.$status == MembershipStatus.member).all().map(\.$group.id)
        return try await InitiativeGroup.query(on: req.db).filter(\.$id ~~ ids).sort(\.$name).all()
    }

    private func renderForm(_ req: Request, _ form: FormState, status: HTTPResponseStatus = .ok) async throws -> Response {
        return try await req.page("problems/new", titleKey: "problems.new", FormContent(
            form: form,
            categories: ProblemCategory.allCases.map { .init(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0.rawValue == form["category"]) },
            places: try await PlaceGroup.choices(req, selected: form["territory"]),
            groups: try await myGroups(req).map { .init(value: $0.idString, label: $0.name, selected: $0.idString == form["group"]) }),
            forms: true, status: status)
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
            group = try await myGroups(req).first { $0.idString == form["group"].lowercased() }
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

    private func load(_ req: Request) async throws -> Problem {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
              let problem = try await Problem.query(on: req.db).filter(\.$id == id).with(\.$territory).first() else { throw DemilgeError.notFound }
        if problem.hidden, !req.can(.moderate) { throw DemilgeError.notFound }
        return problem
    }

    private func target(_ problem: Problem, _ req: Request) async throws -> Target {
        try await TerritoryPath.target(problem.$territory.id, on: req.db)
    }

    func show(req: Request) async throws -> Response {
        if let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
           let merged = try await Problem.find(id, on: req.db), let into = merged.$mergedInto.id {
            return req.redirect(to: SitePath.problem(into).path, redirectType: .permanent)
        }
        return try await render(req, try await load(req))
    }

    private func render(_ req: Request, _ problem: Problem, form: FormState = FormState(), status: HTTPResponseStatus = .ok) async throws -> Response {
        let page = try await ProblemPage.build(req, problem, form: form)
        return try await req.page("problems/show", titleKey: "", page, title: problem.title, status: status)
    }

    func photo(req: Request) async throws -> Response {
        let problem = try await load(req)
        guard let name = problem.photo, Uploads.isStoredName(name) else { throw DemilgeError.notFound }
        let path = Uploads.directory(req.application).appendingPathComponent(name).path
        let response = try await req.fileio.asyncStreamFile(at: path)
        response.headers.replaceOrAdd(name: .contentType, value: name.hasSuffix(".png") ? "image/png" : "image/jpeg")
        return response
    }

    // MARK: - Taking part

    func support(req: Request) async throws -> Response {
        try req.authorize(.supportProblem)
        let problem = try await load(req)
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
            try await AuditLog.record(on: db, by: req.auditActor, action: "problem.support", entityType: "problem",
                                      entityID: problemID.uuidString.lowercased())
            return true
        }
        req.flash(added ? "problems.supported" : "problems.already_supported")
        return req.redirect(to: .problem(problemID))
    }

    func comment(req: Request) async throws -> Response {
        try req.authorize(.comment)
        let problem = try await load(req)
        let user = try req.requireUser()
        var form = FormState.read(req, fields: ["body"])
        form.requireText("body", length: 2...2000, req)
        guard form.isValid else { return try await render(req, problem, form: form, status: .unprocessableEntity) }
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
                try await AuditLog.record(on: db, by: req.auditActor, action: "problem.comment", entityType: "problem",
                                          entityID: GrantDisplay.id(problem), after: ["comment": GrantDisplay.id(comment)])
            }
        } catch let exceeded as Quota.Exceeded {
            form.fail("body", Quota.message(exceeded, req))
            return try await render(req, problem, form: form, status: .tooManyRequests)
        }
        req.flash("problems.commented")
        return req.redirect(to: .problemComments(problem.id))
    }

    // MARK: - Deciding and moderating

    func changeStatus(req: Request) async throws -> Response {
        let problem = try await load(req)
        try req.authorize(.changeProblemStatus, on: try await target(problem, req))
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
        guard form.isValid, let to else { return try await render(req, problem, form: form, status: form.status) }
        let before = problem.snapshot
        let from = problem.status
        problem.status = to
        let reason = form["reason"]
        let saved = try await req.write { db -> Bool in
            guard try await VersionClaim.claim(Problem.schema, id: (try problem.requireID()), expected: problem.version, on: db) else { return false }
            problem.version = problem.version.saturatingAdding(1)
            try await problem.update(on: db)
            try await ProblemEvent(problemID: (try problem.requireID()), from: from, to: to, reason: reason).create(on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "problem.status", entityType: "problem",
                                      entityID: problem.idString, before: before, after: problem.snapshot)
            return true
        }
        guard saved else {
            form.failStale("to", req)
            return try await render(req, try await load(req), form: form, status: .conflict)
        }
        req.flash("problems.status_changed")
        return req.redirect(to: .problem(problem.id))
    }

    func moderate(req: Request) async throws -> Response {
        let problem = try await load(req)
        try req.authorize(.moderate, on: try await target(problem, req))
        var form = FormState.read(req, fields: ["hide", "reason"])
        let hide = form["hide"] == "1"
        if hide { form.requireText("reason", length: 3...500, req) }
        guard form.isValid else { return try await render(req, problem, form: form, status: .unprocessableEntity) }
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
        let problem = try await load(req)
        try req.authorize(.moderate, on: try await target(problem, req))
        guard let commentID = req.parameters.get("comment").flatMap(UUID.init(uuidString:)),
              let comment = try await ProblemComment.query(on: req.db).filter(\.$id == commentID).filter(\.$problem.$id == (try problem.requireID())).first()
        else { throw DemilgeError.notFound }
        var form = FormState.read(req, fields: ["hide", "reason"])
        let hide = form["hide"] == "1"
        if hide { form.requireText("reason", length: 3...500, req) }
        guard form.isValid else { return try await render(req, problem, form: form, status: .unprocessableEntity) }
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
        let duplicate = try await load(req)
        try req.authorize(.mergeProblems, on: try await target(duplicate, req))
        var form = FormState.read(req, fields: ["into"])
        let into = try await UUID(uuidString: form["into"]).asyncFlatMap { try await Problem.query(on: req.db).filter(\.$id == $0).with(\.$territory).first() }
        if into == nil || into?.id == duplicate.id || into?.isListed == false { form.fail("into", req.t("validation.choose_from_list")) }
        if let into, !req.can(.mergeProblems, on: try await target(into, req)) { form.fail("into", req.t("error.forbidden")) }
        guard form.isValid, let into else { return try await render(req, duplicate, form: form, status: .unprocessableEntity) }
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

    // MARK: - Open data

    struct ExportRow: Content {
        let id: String, title: String, description: String, category: String, status: String
        let territoryCode: String, territory: String, supports: Int, raisedOn: String
    }

    private func exportRows(_ req: Request) async throws -> [ExportRow] {
        try await ProblemFilters(req).listed(on: req.db).map { problem in
            ExportRow(id: problem.idString, title: problem.title, description: problem.description,
                      category: problem.category.rawValue, status: problem.status.rawValue, territoryCode: problem.territory.code,
                      territory: problem.territory.nameKy, supports: problem.supportCount,
                      raisedOn: problem.createdAt.map(Formatters.isoDate) ?? "")
        }
    }

    func exportCSV(req: Request) async throws -> Response {
        let rows = try await exportRows(req)
        let csv = CSV.write(header: ["id", "title", "description", "category", "status", "territory_code", "territory", "supports", "raised_on"],
                            rows: rows.map { [$0.id, $0.title, $0.description, $0.category, $0.status, $0.territoryCode, $0.territory, String($0.supports), $0.raisedOn] })
        return OpenData.csv(csv, filename: "demilge-problems.csv")
    }

    func exportJSON(req: Request) async throws -> Response {
        try await OpenData.json(try await exportRows(req), on: req)
    }
}
