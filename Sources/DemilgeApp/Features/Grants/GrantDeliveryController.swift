import DemilgeCore
import Fluent
import Vapor

/// Delivering an awarded grant: milestones, joint monitoring visits with photos, and the final report.
struct GrantDeliveryController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.post("applications", ":id", "milestones", use: addMilestone)
        routes.post("applications", ":id", "milestones", ":milestone", use: updateMilestone)
        routes.post("applications", ":id", "visits", use: visit)
        routes.post("applications", ":id", "report", use: report)
        routes.get("grant-photos", ":name", use: photo)
    }

    // MARK: - Milestones

    private func mayTrack(_ req: Request, _ application: GrantApplication) async throws -> Bool {
        let viewer = try await GrantViewer.load(req, call: application.call)
        return viewer.isManager || viewer.isApplicant(application)
    }

    func addMilestone(req: Request) async throws -> Response {
        guard req.actor.isSignedIn else { throw DemilgeError.signInRequired }
        let application = try await GrantDisplay.loadApplication(req)
        guard try await mayTrack(req, application) else { throw DemilgeError.forbidden }
        var form = FormState.read(req, fields: ["title", "due_on"])
        form.requireText("title", length: 3...200, req)
        form.requireDay("due_on", req)
        if ![.contracted, .inImplementation].contains(application.status) { form.fail("title", req.t("grants.not_in_implementation")) }
        guard form.isValid else { return try await AwardedGrant.rerender(req, application, form, "milestone") }
        let milestone = GrantMilestone()
        milestone.$application.id = (try application.requireID())
        milestone.title = form["title"]
        milestone.dueOn = try Day(stored: form["due_on"])
        milestone.progress = 0
        milestone.note = ""
        milestone.version = 1
        try await req.write { db in
            try await milestone.create(on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "grant.milestone", entityType: "grant_application",
                                      entityID: application.idString, after: ["title": milestone.title, "due_on": milestone.dueOn.description])
        }
        return AwardedGrant.done(req, application)
    }

    func updateMilestone(req: Request) async throws -> Response {
        guard req.actor.isSignedIn else { throw DemilgeError.signInRequired }
        let application = try await GrantDisplay.loadApplication(req)
        guard try await mayTrack(req, application) else { throw DemilgeError.forbidden }
        guard let id = req.parameters.get("milestone")?.uuid,
              let milestone = try await GrantMilestone.query(on: req.db).filter(\.$id == id).filter(\.$application.$id == (try application.requireID())).first()
        else { throw DemilgeError.notFound }
        var form = FormState.read(req, fields: ["progress", "note", "version"])
        let progress = form.integer("progress", in: 0...100)
        if progress == nil { form.fail("progress", req.t("grants.percent")) }
        form.optionalText("note", max: 2000, req)
        guard form.isValid, let progress else { return try await AwardedGrant.rerender(req, application, form, "milestone_\(id.uuidString.lowercased())") }
        let expected = form.version ?? -1
        let note = form["note"]
        let saved = try await req.write(version: milestone.version, expected: expected) { db -> Bool in
            guard try await VersionClaim.claim(GrantMilestone.schema, id: id, expected: expected, on: db) else { return false }
            milestone.progress = progress
            milestone.note = note
            milestone.version = expected + 1
            try await milestone.update(on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "grant.milestone_progress", entityType: "grant_application",
                                      entityID: application.idString, after: ["title": milestone.title, "progress": String(progress)])
            return true
        }
        guard saved else { throw DemilgeError.staleEdit }
        return AwardedGrant.done(req, application)
    }

    // MARK: - Joint monitoring

    struct VisitUpload: Content { var photo1: File?; var photo2: File?; var photo3: File? }

    func visit(req: Request) async throws -> Response {
        guard req.actor.isSignedIn else { throw DemilgeError.signInRequired }
        let application = try await GrantDisplay.loadApplication(req)
        let path = try await TerritoryPath.ids(from: application.$territory.id, on: req.db)
        try req.authorize(.recordMonitoringVisit, on: Target(territoryPath: path, programmeID: application.call.$programme.id))
        var form = FormState.read(req, fields: ["visited_on", "community_members", "council_members", "findings", "rating"])
        if let visited = form.requireDay("visited_on", req), visited > Day.today() { form.fail("visited_on", req.t("grants.visit_future")) }
        form.requireText("community_members", length: 2...1000, req)
        form.requireText("council_members", length: 2...1000, req)
        form.requireText("findings", length: 3...5000, req)
        let rating = form.integer("rating", in: 1...5)
        if rating == nil { form.fail("rating", req.t("grants.rating_range")) }
        if ![.contracted, .inImplementation, .completed].contains(application.status) { form.fail("findings", req.t("grants.not_in_implementation")) }
        var photos: [Uploads.Photo] = []
        let upload = try? req.content.decode(VisitUpload.self)
        for file in [upload?.photo1, upload?.photo2, upload?.photo3].compactMap({ $0 }) where file.data.readableBytes > 0 {
            switch Uploads.check(file) {
            case .success(let photo): photos.append(photo)
            case .failure(.tooLarge): form.fail("photos", req.t("problems.photo_too_large"))
            case .failure(.notAPhoto): form.fail("photos", req.t("problems.photo_type"))
            }
        }
        guard form.isValid, let rating else { return try await AwardedGrant.rerender(req, application, form, "visit") }
        let visit = GrantVisit()
        visit.$application.id = (try application.requireID())
        visit.visitedOn = try Day(stored: form["visited_on"])
        visit.communityMembers = form["community_members"]
        visit.councilMembers = form["council_members"]
        visit.findings = form["findings"]
        visit.rating = rating
        visit.photos = try photos.map { try Uploads.save($0, app: req.application) }
        try await req.write { db in
            try await visit.create(on: db)
            try await Notifier.tell(.init(kind: .monitoring, subject: .application, subjectID: try application.requireID(), title: application.title,
                                          detail: "", actor: req.currentUser?.id), .followers(of: .application, try application.requireID()), on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "grant.visit", entityType: "grant_application",
                                      entityID: application.idString, after: ["visited_on": visit.visitedOn.description, "rating": String(rating)])
        }
        return AwardedGrant.done(req, application)
    }

    func photo(req: Request) async throws -> Response {
        guard let name = req.parameters.get("name"), Uploads.isStoredName(name),
              try await GrantVisit.query(on: req.db).filter(.path(["photos"], schema: GrantVisit.schema), .custom("LIKE"), .bind("%\(name)%")).first() != nil else { throw DemilgeError.notFound }
        let response = try await req.fileio.asyncStreamFile(at: Uploads.directory(req.application).appendingPathComponent(name).path)
        response.headers.replaceOrAdd(name: .contentType, value: name.hasSuffix(".png") ? "image/png" : "image/jpeg")
        return response
    }

    // MARK: - Final report

    func report(req: Request) async throws -> Response {
        guard req.actor.isSignedIn else { throw DemilgeError.signInRequired }
        let application = try await GrantDisplay.loadApplication(req)
        let viewer = try await GrantViewer.load(req, call: application.call)
        guard viewer.isApplicant(application) else { throw DemilgeError.forbidden }
        let lines = application.lines
        var form = FormState.read(req, fields: ["summary"] + lines.map { "spent_\($0.idString)" } + ApplicationForm.fields.filter { $0.contains("_") })
        form.requireText("summary", length: 10...5000, req)
        var spent: [UUID: Int64] = [:]
        for line in lines { spent[(try line.requireID())] = form.amount("spent_\(line.idString)", req, allowZero: true) }
        var reached = Participants()
        do { reached = try Participants.parse(form.values) } catch { form.fail("reached", req.t("grants.beneficiaries_required")) }
        if application.status != .inImplementation { form.fail("summary", req.t("grants.not_in_implementation")) }
        if try await GrantReport.query(on: req.db).filter(\.$application.$id == (try application.requireID())).first() != nil { form.fail("summary", req.t("grants.report_exists")) }
        guard form.isValid else { return try await AwardedGrant.rerender(req, application, form, "report") }
        let report = GrantReport()
        report.$application.id = (try application.requireID())
        report.submittedOn = Day.today()
        report.summary = form["summary"]
        report.reached = reached
        let spentByLine = spent, reachedTotal = reached.total
        do {
            try await req.write { db in
                try await report.create(on: db)
                for line in lines {
                    line.spentTyiyn = spentByLine[(try line.requireID())]
                    try await line.update(on: db)
                }
                try await AuditLog.record(on: db, by: req.auditActor, action: "grant.report", entityType: "grant_application",
                                          entityID: application.idString, after: ["spent": String(Money.sum(spentByLine.values)), "reached": String(reachedTotal)])
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            form.fail("summary", req.t("grants.report_exists"))
            return try await AwardedGrant.rerender(req, application, form, "report", status: .conflict)
        }
        return AwardedGrant.done(req, application)
    }
}
