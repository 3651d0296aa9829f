import DemilgeCore
import Fluent
import Vapor

/// After the award: the contract and its tranches, money paid in, milestones, joint monitoring visits,
/// and the final report.
struct GrantDeliveryController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.post("applications", ":id", "contract", use: contract)
        routes.post("applications", ":id", "payments", use: pay)
        routes.post("applications", ":id", "milestones", use: addMilestone)
        routes.post("applications", ":id", "milestones", ":milestone", use: updateMilestone)
        routes.post("applications", ":id", "visits", use: visit)
        routes.post("applications", ":id", "report", use: report)
        routes.get("grant-photos", ":name", use: photo)
    }

    private func rerender(_ req: Request, _ application: GrantApplication, _ form: FormState, _ name: String,
                          status: HTTPResponseStatus = .unprocessableEntity) async throws -> Response {
        try await GrantApplicationController.render(req, application, form: form, formName: name, status: status)
    }

    private func done(_ req: Request, _ application: GrantApplication) -> Response {
        req.flash("admin.saved")
        return req.redirect(to: GrantDisplay.applicationPath(application), redirectType: .normal)
    }

    private func manager(_ req: Request, _ application: GrantApplication) throws {
        try req.authorize(.manageGrants, on: Target(programmeID: application.call.$programme.id))
    }

    // MARK: - Contract

    func contract(req: Request) async throws -> Response {
        let application = try await GrantDisplay.loadApplication(req)
        try manager(req, application)
        var form = FormState.read(req, fields: ["number", "signed_on", "starts_on", "ends_on", "amount", "local_budget", "community", "other", "tranches"])
        form.requireText("number", length: 1...60, req)
        for field in ["signed_on", "starts_on", "ends_on"] { form.requireDay(field, req) }
        if form.errors["ends_on"] == nil && form["ends_on"] < form["starts_on"] { form.fail("ends_on", req.t("rounds.window_backwards")) }
        let amount = form.amount("amount", req)
        let local = form.amount("local_budget", req, allowZero: true)
        let community = form.amount("community", req, allowZero: true)
        let other = form.amount("other", req, allowZero: true)
        var planned: [GrantLines.PlannedTranche] = []
        switch GrantLines.tranches(form["tranches"]) {
        case .success(let read): planned = read
            if read.isEmpty { form.fail("tranches", req.t("grants.tranches_required")) }
        case .failure(let errors):
            form.fail("tranches", GrantDisplay.lineErrors(errors, req).joined(separator: " "))
        }
        if application.status != .approved { form.fail("number", req.t("grants.contract_needs_award")) }
        if form.isValid {
            for problem in ContractCheck.problems(amountTyiyn: amount, awardedTyiyn: application.requestedTyiyn, trancheAmounts: planned.map(\.amountTyiyn)) {
                switch problem {
                case .amountAboveAward(let amount, let awarded):
                    form.fail("amount", req.t(problem.catalogKey, ["amount": GrantDisplay.money(amount, req), "awarded": GrantDisplay.money(awarded, req)]))
                case .tranchesDoNotSum(let tranches, let amount):
                    form.fail("tranches", req.t(problem.catalogKey, ["tranches": GrantDisplay.money(tranches, req), "amount": GrantDisplay.money(amount, req)]))
                default: form.fail("amount", req.t(problem.catalogKey))
                }
            }
        }
        if try await GrantContract.query(on: req.db).filter(\.$number == form["number"]).first() != nil { form.fail("number", req.t("grants.contract_number_taken")) }
        guard form.isValid else { return try await rerender(req, application, form, "contract") }
        let contract = GrantContract()
        contract.$application.id = (try application.requireID())
        contract.number = form["number"]
        contract.signedOn = try Day(stored: form["signed_on"])
        contract.startsOn = try Day(stored: form["starts_on"])
        contract.endsOn = try Day(stored: form["ends_on"])
        contract.amountTyiyn = amount
        contract.localBudgetTyiyn = local
        contract.communityTyiyn = community
        contract.otherTyiyn = other
        let schedule = planned
        do {
            try await req.write { db in
                try await contract.create(on: db)
                for (index, tranche) in schedule.enumerated() {
                    let row = GrantTranche()
                    row.$contract.id = (try contract.requireID())
                    row.number = index + 1
                    row.plannedOn = tranche.plannedOn
                    row.amountTyiyn = tranche.amountTyiyn
                    row.condition = tranche.condition
                    try await row.create(on: db)
                }
                try await AuditLog.record(on: db, by: req.auditActor, action: "grant.contract", entityType: "grant_application",
                                          entityID: GrantDisplay.id(application), after: ["number": contract.number, "amount": String(amount), "tranches": String(schedule.count)])
                try await GrantMove.apply(application, to: .contracted, reason: contract.number, as: .programmeManager, by: req, on: db)
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            form.fail("number", req.t("grants.contract_number_taken"))
            return try await rerender(req, application, form, "contract", status: .conflict)
        }
        return done(req, application)
    }

    // MARK: - Money paid in

    /// A grant disbursement against a tranche (the first one starts implementation), or a co-funding contribution.
    func pay(req: Request) async throws -> Response {
        let application = try await GrantDisplay.loadApplication(req)
        try manager(req, application)
        var form = FormState.read(req, fields: ["kind", "tranche", "source", "paid_on", "amount", "reference"])
        let paidOn = form.requireDay("paid_on", req)
        let amount = form.amount("amount", req)
        form.optionalText("reference", max: 200, req)
        guard [.contracted, .inImplementation].contains(application.status),
              let contract = try await GrantContract.query(on: req.db).filter(\.$application.$id == (try application.requireID())).with(\.$tranches).first() else {
            form.fail("amount", req.t("grants.payment_needs_contract"))
            return try await rerender(req, application, form, "payment", status: .conflict)
        }
        let payment = GrantPayment()
        payment.$application.id = (try application.requireID())
        if let paidOn { payment.paidOn = paidOn }
        payment.amountTyiyn = amount
        payment.reference = form["reference"]
        if form["kind"] == "contribution" {
            guard let source = FundingSource(rawValue: form["source"]), source.isCoFunding else {
                form.fail("source", req.t("validation.choose_from_list"))
                return try await rerender(req, application, form, "payment")
            }
            payment.source = source
        } else {
            payment.source = FundingSource.grant
            let number = form.integer("tranche", in: 1...1_000) ?? 0
            payment.$tranche.id = contract.tranches.first { $0.number == number }?.id
            if payment.$tranche.id == nil { form.fail("tranche", req.t("validation.choose_from_list")) }
        }
        guard form.isValid else { return try await rerender(req, application, form, "payment") }
        let applicationID = try application.requireID()
        let schedule = contract.tranches.map { (id: $0.id, number: $0.number, amount: $0.amountTyiyn) }
        do {
            try await req.write { db in
                if let trancheID = payment.$tranche.id {
                    // What is left of each tranche is counted with the application locked, so two payments sent at
                    // once cannot both fit into what only one of them may take.
                    try await RowLock.lock(GrantApplication.schema, id: applicationID, on: db)
                    let paid = try await GrantPayment.query(on: db).filter(\.$application.$id == applicationID).all()
                    let tranches = schedule.map { t in
                        Tranche(number: t.number, amountTyiyn: t.amount, paidTyiyn: Money.sum(paid.filter { $0.$tranche.id == t.id }.map(\.amountTyiyn)))
                    }
                    let number = schedule.first { $0.id == trancheID }?.number ?? 0
                    if let problem = ContractCheck.disbursement(amount, to: number, of: tranches) { throw DisbursementRefused(problem: problem) }
                }
                try await payment.create(on: db)
                try await AuditLog.record(on: db, by: req.auditActor, action: "grant.payment", entityType: "grant_application",
                                          entityID: GrantDisplay.id(application), after: ["source": payment.source.rawValue, "amount": String(amount), "paid_on": payment.paidOn.description])
                // The first disbursement starts implementation (read again under the lock: another payment may have).
                if payment.$tranche.id != nil, let current = try await GrantApplication.find(applicationID, on: db), current.status == .contracted {
                    application.status = current.status
                    try await GrantMove.apply(application, to: .inImplementation, reason: nil, as: .programmeManager, by: req, on: db)
                }
            }
        } catch let refused as DisbursementRefused {
            switch refused.problem {
            case .overTranche(let remaining): form.fail("amount", req.t(refused.problem.catalogKey, ["remaining": GrantDisplay.money(remaining, req)]))
            case .earlierTrancheUnpaid(let earlier): form.fail("tranche", req.t(refused.problem.catalogKey, ["number": String(earlier)]))
            default: form.fail("amount", req.t(refused.problem.catalogKey))
            }
            return try await rerender(req, application, form, "payment")
        }
        return done(req, application)
    }

    struct DisbursementRefused: Error { let problem: ContractProblem }

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
        guard form.isValid else { return try await rerender(req, application, form, "milestone") }
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
                                      entityID: GrantDisplay.id(application), after: ["title": milestone.title, "due_on": milestone.dueOn.description])
        }
        return done(req, application)
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
        guard form.isValid, let progress else { return try await rerender(req, application, form, "milestone_\(id.uuidString.lowercased())") }
        let expected = form.version ?? -1
        let note = form["note"]
        let saved = try await req.write { db -> Bool in
            guard try await VersionClaim.claim(GrantMilestone.schema, id: id, expected: expected, on: db) else { return false }
            milestone.progress = progress
            milestone.note = note
            milestone.version = expected + 1
            try await milestone.update(on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "grant.milestone_progress", entityType: "grant_application",
                                      entityID: GrantDisplay.id(application), after: ["title": milestone.title, "progress": String(progress)])
            return true
        }
        guard saved else { throw DemilgeError.staleEdit }
        return done(req, application)
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
        guard form.isValid, let rating else { return try await rerender(req, application, form, "visit") }
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
            try await AuditLog.record(on: db, by: req.auditActor, action: "grant.visit", entityType: "grant_application",
                                      entityID: GrantDisplay.id(application), after: ["visited_on": visit.visitedOn.description, "rating": String(rating)])
        }
        return done(req, application)
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
        var form = FormState.read(req, fields: ["summary"] + lines.map { "spent_\(GrantDisplay.id($0))" } + ApplicationForm.fields.filter { $0.contains("_") })
        form.requireText("summary", length: 10...5000, req)
        var spent: [UUID: Int64] = [:]
        for line in lines { spent[(try line.requireID())] = form.amount("spent_\(GrantDisplay.id(line))", req, allowZero: true) }
        var reached = Participants()
        do { reached = try Participants.parse(form.values) } catch { form.fail("reached", req.t("grants.beneficiaries_required")) }
        if application.status != .inImplementation { form.fail("summary", req.t("grants.not_in_implementation")) }
        if try await GrantReport.query(on: req.db).filter(\.$application.$id == (try application.requireID())).first() != nil { form.fail("summary", req.t("grants.report_exists")) }
        guard form.isValid else { return try await rerender(req, application, form, "report") }
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
                                          entityID: GrantDisplay.id(application), after: ["spent": String(Money.sum(spentByLine.values)), "reached": String(reachedTotal)])
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            form.fail("summary", req.t("grants.report_exists"))
            return try await rerender(req, application, form, "report", status: .conflict)
        }
        return done(req, application)
    }
}
