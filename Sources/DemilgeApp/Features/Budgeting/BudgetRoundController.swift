import DemilgeCore
import Fluent
import Vapor

/// Participatory-budgeting rounds: set-up by municipal staff, projects from priority problems, and the lifecycle to
/// published results (ballots are `BallotController`'s and `PaperBallotController`'s).
struct BudgetRoundController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("rounds", use: index)
        routes.get("rounds", "new", use: newForm)
        routes.post("rounds", use: create)
        routes.get("rounds", ":id", use: show)
        routes.post("rounds", ":id", "projects", use: addProject)
        routes.post("rounds", ":id", "status", use: advance)
    }

    // MARK: - List and create

    func index(req: Request) async throws -> Response {
        try await req.page("rounds/index", titleKey: "rounds.title", try await RoundListPage.build(req))
    }

    private func renderNew(_ req: Request, _ form: FormState, status: HTTPResponseStatus = .ok) async throws -> Response {
        try await req.page("rounds/new", titleKey: "rounds.new", try await RoundFormPage.build(req, form), forms: true, status: status)
    }

    func newForm(req: Request) async throws -> Response {
        guard req.actor.isSignedIn else { throw DemilgeError.signInRequired }
        return try await renderNew(req, FormState())
    }

    func create(req: Request) async throws -> Response {
        guard req.actor.isSignedIn else { throw DemilgeError.signInRequired }
        var form = FormState.read(req, fields: ["territory", "title", "description", "envelope", "ballot_type", "rule", "opens_on", "closes_on",
                                                "min_choices", "max_choices", "points_total", "eligibility", "rule_reason"])
        let territory = try await RoundSettings.read(req, &form)
        form.optionalText("rule_reason", max: RuleChoiceController.reasonLength.upperBound, req)
        var envelope = Money.som(0)
        do { envelope = try Money.parse(form["envelope"], as: req.language) } catch { form.fail("envelope", req.t("validation.money")) }
        if envelope.minorUnits <= 0 && form.errors["envelope"] == nil { form.fail("envelope", req.t("validation.money")) }
        let type = BallotType(rawValue: form["ballot_type"])
        if type == nil { form.fail("ballot_type", req.t("validation.choose_from_list")) }
        let rule = BudgetingRule(rawValue: form["rule"])
        // Verified residents unless the manager chooses otherwise (a municipality without a roll yet).
        let eligibility = form["eligibility"].isEmpty ? .verified : RoundEligibility(rawValue: form["eligibility"])
        if eligibility == nil { form.fail("eligibility", req.t("validation.choose_from_list")) }
        if let rule, let type, type.rules.contains(rule) {} else { form.fail("rule", req.t("rounds.rule_not_for_ballot")) }
        func count(_ field: String, _ range: ClosedRange<Int>) -> Int? {
            guard !form[field].isEmpty else { return nil }
            guard let value = form.integer(field, in: range) else { form.fail(field, req.t("validation.count")); return nil }
            return value
        }
        let minChoices = count("min_choices", 1...100), maxChoices = count("max_choices", 1...100)
        if let minChoices, let maxChoices, minChoices > maxChoices { form.fail("max_choices", req.t("rounds.max_below_min")) }
        let points = count("points_total", 1...1000)
        if type == .cumulative && points == nil { form.fail("points_total", req.t("validation.count")) }
        guard form.isValid, let territory, let type, let rule, let eligibility else { return try await renderNew(req, form, status: form.status) }
        let round = BudgetRound(territoryID: (try territory.requireID()), title: form["title"], description: form["description"], envelopeTyiyn: envelope.minorUnits,
                                type: type, rule: rule, status: .draft, window: (try Day(stored: form["opens_on"]), try Day(stored: form["closes_on"])),
                                eligibility: eligibility)
        round.minChoices = type == .cumulative ? nil : minChoices
        round.maxChoices = type == .cumulative ? nil : maxChoices
        round.pointsTotal = type == .cumulative ? points : nil
        round.ruleReason = form.optional("rule_reason")
        try await req.write { db in
            try await round.create(on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "round.create", entityType: "round",
                                      entityID: round.idString, after: round.snapshot)
        }
        req.flash("admin.saved")
        return req.redirect(to: .round(round.id))
    }

    // MARK: - The round's page

    func show(req: Request) async throws -> Response {
        let round = try await RoundAccess.load(req)
        if round.status == .draft, !req.can(.manageBudgetRound, on: try await RoundAccess.target(round, req)) { throw DemilgeError.notFound }
        return try await Self.render(req, round)
    }

    static func render(_ req: Request, _ round: BudgetRound, form: FormState = FormState(), formName: String = "", ballot submitted: [BallotChoice]? = nil,
                        ballotErrors: [String] = [], status: HTTPResponseStatus = .ok) async throws -> Response {
        var page = try await RoundPage.build(req, round, form: form, formName: formName, ballot: submitted, ballotErrors: ballotErrors)
        if round.status != .draft { page.follow = try await FollowButton.build(req, .round, round.id) }
        return try await req.page("rounds/show", titleKey: "", page, forms: page.hasForms, title: round.title, status: status)
    }

    // MARK: - Projects and lifecycle

    enum ProjectsClosed: Error { case closed, full }
    /// A round's ballot lists at most this many projects (a ballot is read and counted per project).
    static let maximumProjects = 200

    func addProject(req: Request) async throws -> Response {
        let round = try await RoundAccess.load(req)
        try req.authorize(.manageBudgetRound, on: try await RoundAccess.target(round, req))
        var form = FormState.read(req, fields: ["title", "description", "cost"])
        let chosen = req.formList("problem", max: 50)
        if chosen == nil { form.fail("problem", req.t("validation.too_many")) }
        let problemIDs = (chosen ?? []).compactMap(UUID.init(uuidString:))
        form.requireText("title", length: 3...200, req)
        form.optionalText("description", max: 5000, req)
        var cost = Money.som(0)
        do { cost = try Money.parse(form["cost"], as: req.language) } catch { form.fail("cost", req.t("validation.money")) }
        if form.errors["cost"] == nil && cost.minorUnits <= 0 { form.fail("cost", req.t("validation.money")) }
        if cost.minorUnits > round.envelopeTyiyn { form.fail("cost", req.t("rounds.cost_over_envelope")) }
        if !round.status.acceptsProjects { form.fail("title", req.t("rounds.projects_closed"), .conflict) }
        let subtree = try await req.territoryDirectory().subtree(of: round.$territory.id)
        let problems = try await Problem.query(on: req.db).filter(\.$id ~~ problemIDs).all()
        if problems.count != problemIDs.count || problems.contains(where: { !subtree.contains($0.$territory.id) }) {
            form.fail("problem", req.t("validation.choose_from_list"))
        }
        guard form.isValid else {
            return try await Self.render(req, round, form: form, formName: "project", status: form.status)
        }
        let roundID = try round.requireID()
        let project = BudgetProject()
        project.$round.id = roundID
        project.title = form["title"]
        project.description = form["description"]
        project.costTyiyn = cost.minorUnits
        do {
            try await req.write { db in
                // Under the round's lock: no project after voting opened, and two projects never get one number.
                try await RowLock.lock(BudgetRound.schema, id: roundID, on: db)
                guard let current = try await BudgetRound.find(roundID, on: db), current.status.acceptsProjects else { throw ProjectsClosed.closed }
                let existing = try await BudgetProject.query(on: db).filter(\.$round.$id == roundID).all()
                guard existing.count < Self.maximumProjects else { throw ProjectsClosed.full }
                project.code = String((existing.compactMap { BoundedInt.parse($0.code, in: 0...Self.maximumProjects * 10) }.max() ?? 0) + 1)
                try await project.create(on: db)
                try await project.$problems.attach(problems, on: db)
                if current.status == .draft {
                    current.status = RoundStatus.projects
                    current.version = current.version.saturatingAdding(1)
                    try await current.update(on: db)
                    try await AuditLog.record(on: db, by: req.auditActor, action: "round.status", entityType: "round", entityID: round.idString,
                                              before: ["status": RoundStatus.draft.rawValue], after: ["status": RoundStatus.projects.rawValue])
                }
                try await AuditLog.record(on: db, by: req.auditActor, action: "round.project", entityType: "round", entityID: round.idString,
                                          after: ["code": project.code, "title": project.title, "cost_tyiyn": String(project.costTyiyn),
                                                  "problems": problems.map { $0.idString }.joined(separator: ",")])
            }
        } catch let closed as ProjectsClosed {
            form.fail("title", req.t(closed == .full ? "rounds.too_many_projects" : "rounds.projects_closed", ["count": String(Self.maximumProjects)]))
            return try await Self.render(req, try await RoundAccess.load(req), form: form, formName: "project", status: .conflict)
        }
        req.flash("admin.saved")
        return req.redirect(to: .round(round.id), anchor: "projects")
    }

    func advance(req: Request) async throws -> Response {
        let round = try await RoundAccess.load(req)
        try req.authorize(.manageBudgetRound, on: try await RoundAccess.target(round, req))
        var form = FormState.read(req, fields: ["status", "version"])
        let wanted = RoundStatus(rawValue: form["status"])
        if form.version != round.version { form.failStale("status", req) }
        else if wanted == nil || round.status.next != wanted { form.fail("status", req.t("rounds.bad_transition")) }
        else if wanted == .voting, try await BudgetProject.query(on: req.db).filter(\.$round.$id == (try round.requireID())).count() < 2 {
            form.fail("status", req.t("rounds.needs_projects"))
        }
        guard form.isValid, let wanted else { return try await Self.render(req, round, form: form, formName: "status", status: form.status) }
        // Counting must be possible under the round's rule before voting is closed for it (a count that could not
        // finish would leave the round without a result); publishing shows the stored result, still matching the ballots.
        var counted: RoundResultStore.Counted? = nil
        do {
            if wanted == .counting { counted = try await RoundResultStore.count(round, on: req.db, maximumAddOneRuns: req.application.maximumAddOneRuns) }
            if wanted == .published, !(try await RoundResultStore.isCurrent(round, on: req.db)) {
                try await RoundResultStore.compute(round, app: req.application)
            }
        } catch let tooLarge as RuleTooLarge {
            form.fail("status", req.t("rounds.rule_too_large", ["rule": req.t("rule.\(tooLarge.rule.rawValue)"), "runs": String(tooLarge.runs)]))
            return try await Self.render(req, round, form: form, formName: "status", status: .conflict)
        }
        let before = round.snapshot
        let expected = round.version
        round.status = wanted
        round.version = expected + 1
        let news = try await RoundNews.of(round, req)
        let saved = try await req.write { db -> Bool in
            guard try await VersionClaim.claim(BudgetRound.schema, id: try round.requireID(), expected: expected, on: db) else { return false }
            try await round.update(on: db)
            try await Notifier.tell(news.0, news.1, on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "round.status", entityType: "round", entityID: round.idString,
                                      before: before, after: round.snapshot)
            return true
        }
        guard saved else {
            form.failStale("status", req)
            return try await Self.render(req, try await RoundAccess.load(req), form: form, formName: "status", status: .conflict)
        }
        // Voting has closed: the ballots are final (a late ballot finds the round no longer open, under its lock),
        // so the result is counted now, once, and kept.
        if let counted { try await RoundResultStore.storeIfCurrent(counted, round, app: req.application) }
        req.flash("admin.saved")
        return req.redirect(to: .round(round.id))
    }
}
