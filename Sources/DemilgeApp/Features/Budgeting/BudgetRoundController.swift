import DemilgeCore
import Fluent
import SQLKit
import Vapor

/// Participatory-budgeting rounds: set-up by municipal staff, projects from priority problems,
/// online ballots by the territory's residents, and the lifecycle to published results.
struct BudgetRoundController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("rounds", use: index)
        routes.get("rounds", "new", use: newForm)
        routes.post("rounds", use: create)
        routes.get("rounds", ":id", use: show)
        routes.post("rounds", ":id", "projects", use: addProject)
        routes.post("rounds", ":id", "status", use: advance)
        routes.post("rounds", ":id", "ballot", use: vote)
    }


    static func load(_ req: Request) async throws -> BudgetRound {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
              let round = try await BudgetRound.query(on: req.db).filter(\.$id == id).with(\.$territory).first() else { throw DemilgeError.notFound }
        return round
    }

    static func target(_ round: BudgetRound, _ req: Request) async throws -> Target {
        try await TerritoryPath.target(round.$territory.id, on: req.db)
    }

    static func path(_ round: BudgetRound) -> String { SitePath.round(round.id).path }

    // MARK: - List and create

    func index(req: Request) async throws -> Response {
        struct Row: Encodable { let id: String; let title: String; let territory: TerritoryLink; let envelope: String; let status: String; let statusKey: String; let window: String }
        struct Content: Encodable { let rounds: [Row]; let canCreate: Bool; let canImport: Bool }
        // A draft is its staff's work in progress: listed only for those who may manage it.
        var rounds: [BudgetRound] = []
        for round in try await BudgetRound.query(on: req.db).with(\.$territory).sort(\.$opensOn, .descending).all() {
            if round.status != .draft { rounds.append(round); continue }
            guard Policy.allowsSomewhere(req.actor, .manageBudgetRound) else { continue }
            let target = try await Self.target(round, req)
            if req.can(.manageBudgetRound, on: target) { rounds.append(round) }
        }
        return try await req.page("rounds/index", titleKey: "rounds.title", Content(
            rounds: rounds.map { r in
                Row(id: r.idString, title: r.title, territory: TerritoryLink(r.territory, req.language, catalog: req.application.catalog),
                    envelope: Money(minorUnits: r.envelopeTyiyn).formatted(req.language), status: req.t(r.status.catalogKey), statusKey: r.status.rawValue,
                    window: "\(r.opensOn.formatted(req.language)) — \(r.closesOn.formatted(req.language))")
            },
            canCreate: Policy.allowsSomewhere(req.actor, .manageBudgetRound), canImport: Policy.allowsSomewhere(req.actor, .manageBudgetRound)))
    }

    struct NewContent: Encodable {
        let form: FormState
        let places: [PlaceGroup]
        let ballotTypes: [Option]
        let rules: [Option]
    }

    static func ruleOptions(_ req: Request, selected: String) -> [Option] {
        [BudgetingRule.greedyCostSat, .mesCostSatAddOneGreedy, .mesCostSat, .mesCostSatGreedy, .mesCostSatAddOne, .greedyPoints, .mesAdditiveCardinalSat].map {
            Option(value: $0.rawValue, label: req.t("rule.\($0.rawValue)"), selected: $0.rawValue == selected)
        }
    }

    private func renderNew(_ req: Request, _ form: FormState, status: HTTPResponseStatus = .ok) async throws -> Response {
        try await req.page("rounds/new", titleKey: "rounds.new", NewContent(
            form: form, places: try await PlaceGroup.choices(req, selected: form["territory"], includeTopLevel: true),
            ballotTypes: BallotType.allCases.map { Option(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0.rawValue == form["ballot_type"]) },
            rules: Self.ruleOptions(req, selected: form["rule"].isEmpty ? BudgetingRule.mesCostSatAddOneGreedy.rawValue : form["rule"])),
            forms: true, status: status)
    }

    func newForm(req: Request) async throws -> Response {
        guard req.actor.isSignedIn else { throw DemilgeError.signInRequired }
        return try await renderNew(req, FormState())
    }

    /// The territory a round form names: nil when unknown or when the user may not run rounds there
    /// (then the form is refused as forbidden).

    /// Reads and checks the round settings shared by the new-round form and the pabulib import.
    static func readSettings(_ req: Request, _ form: inout FormState) async throws -> Territory? {
        form.requireText("title", length: 3...200, req)
        form.optionalText("description", max: 5000, req)
        let territory = try await Territory.query(on: req.db).filter(\.$code == form["territory"]).first()
        var denied = false
        if let territory {
            if !req.can(.manageBudgetRound, on: try await TerritoryPath.target(try territory.requireID(), on: req.db)) {
                form.fail("territory", req.t("rounds.not_your_territory"), .forbidden)
                denied = true
            }
        } else {
            form.fail("territory", req.t("validation.choose_from_list"))
        }
        let opens = form.requireDay("opens_on", req), closes = form.requireDay("closes_on", req)
        if let opens, let closes, closes < opens { form.fail("closes_on", req.t("rounds.window_backwards")) }
        return denied ? nil : territory
    }

    func create(req: Request) async throws -> Response {
        guard req.actor.isSignedIn else { throw DemilgeError.signInRequired }
        var form = FormState.read(req, fields: ["territory", "title", "description", "envelope", "ballot_type", "rule", "opens_on", "closes_on",
                                                "min_choices", "max_choices", "points_total"])
        let territory = try await Self.readSettings(req, &form)
        var envelope = Money.som(0)
        do { envelope = try Money.parse(form["envelope"]) } catch { form.fail("envelope", req.t("validation.money")) }
        if envelope.minorUnits <= 0 && form.errors["envelope"] == nil { form.fail("envelope", req.t("validation.money")) }
        let type = BallotType(rawValue: form["ballot_type"])
        if type == nil { form.fail("ballot_type", req.t("validation.choose_from_list")) }
        let rule = BudgetingRule(rawValue: form["rule"])
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
        guard form.isValid, let territory, let type, let rule else { return try await renderNew(req, form, status: form.status) }
        let round = BudgetRound(territoryID: (try territory.requireID()), title: form["title"], description: form["description"], envelopeTyiyn: envelope.minorUnits,
                                type: type, rule: rule, status: .draft, window: (try Day(stored: form["opens_on"]), try Day(stored: form["closes_on"])))
        round.minChoices = type == .cumulative ? nil : minChoices
        round.maxChoices = type == .cumulative ? nil : maxChoices
        round.pointsTotal = type == .cumulative ? points : nil
        try await req.write { db in
            try await round.create(on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "round.create", entityType: "round",
                                      entityID: round.idString, after: round.snapshot)
        }
        req.flash("admin.saved")
        return req.redirect(to: Self.path(round), redirectType: .normal)
    }

    // MARK: - The round's page

    func show(req: Request) async throws -> Response {
        let round = try await Self.load(req)
        if round.status == .draft, !req.can(.manageBudgetRound, on: try await Self.target(round, req)) { throw DemilgeError.notFound }
        return try await render(req, round)
    }

    private func render(_ req: Request, _ round: BudgetRound, form: FormState = FormState(), formName: String = "", ballot submitted: [BallotChoice]? = nil,
                        ballotErrors: [String] = [], status: HTTPResponseStatus = .ok) async throws -> Response {
        let page = try await RoundPage.build(req, round, form: form, formName: formName, ballot: submitted, ballotErrors: ballotErrors)
        return try await req.page("rounds/show", titleKey: "", page, forms: true, title: round.title, status: status)
    }

    static func eligibility(_ req: Request, _ round: BudgetRound) async throws -> String? {
        guard req.actor.isSignedIn else { return "rounds.sign_in_to_vote" }
        var residences: [[UUID]] = []
        for grant in req.actor.grants where grant.role == .resident {
            if case .territory(let id) = grant.scope { residences.append(try await TerritoryPath.ids(from: id, on: req.db)) }
        }
        return Policy.isEligibleVoter(req.actor, residences: residences, roundTerritory: round.$territory.id) ? nil : "rounds.not_resident"
    }

    // MARK: - Projects and lifecycle

    func addProject(req: Request) async throws -> Response {
        let round = try await Self.load(req)
        try req.authorize(.manageBudgetRound, on: try await Self.target(round, req))
        var form = FormState.read(req, fields: ["title", "description", "cost"])
        let chosen = req.formList("problem", max: 50)
        if chosen == nil { form.fail("problem", req.t("validation.too_many")) }
        let problemIDs = (chosen ?? []).compactMap(UUID.init(uuidString:))
        form.requireText("title", length: 3...200, req)
        form.optionalText("description", max: 5000, req)
        var cost = Money.som(0)
        do { cost = try Money.parse(form["cost"]) } catch { form.fail("cost", req.t("validation.money")) }
        if form.errors["cost"] == nil && cost.minorUnits <= 0 { form.fail("cost", req.t("validation.money")) }
        if cost.minorUnits > round.envelopeTyiyn { form.fail("cost", req.t("rounds.cost_over_envelope")) }
        if !round.status.acceptsProjects { form.fail("title", req.t("rounds.projects_closed"), .conflict) }
        let subtree = try await TerritoryDirectory.load(on: req.db).subtree(of: round.$territory.id)
        let problems = try await Problem.query(on: req.db).filter(\.$id ~~ problemIDs).all()
        if problems.count != problemIDs.count || problems.contains(where: { !subtree.contains($0.$territory.id) }) {
            form.fail("problem", req.t("validation.choose_from_list"))
        }
        guard form.isValid else {
            return try await render(req, round, form: form, formName: "project", status: form.status)
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
                }
                try await AuditLog.record(on: db, by: req.auditActor, action: "round.project", entityType: "round", entityID: round.idString,
                                          after: ["code": project.code, "title": project.title, "cost_tyiyn": String(project.costTyiyn),
                                                  "problems": problems.map { $0.idString }.joined(separator: ",")])
            }
        } catch let closed as ProjectsClosed {
            form.fail("title", req.t(closed == .full ? "rounds.too_many_projects" : "rounds.projects_closed", ["count": String(Self.maximumProjects)]))
            return try await render(req, try await Self.load(req), form: form, formName: "project", status: .conflict)
        }
        req.flash("admin.saved")
        return req.redirect(to: Self.path(round) + "#projects", redirectType: .normal)
    }

    func advance(req: Request) async throws -> Response {
        let round = try await Self.load(req)
        try req.authorize(.manageBudgetRound, on: try await Self.target(round, req))
        var form = FormState.read(req, fields: ["status", "version"])
        let wanted = RoundStatus(rawValue: form["status"])
        if form.version != round.version { form.failStale("status", req) }
        else if wanted == nil || round.status.next != wanted { form.fail("status", req.t("rounds.bad_transition")) }
        else if wanted == .voting, try await BudgetProject.query(on: req.db).filter(\.$round.$id == (try round.requireID())).count() < 2 {
            form.fail("status", req.t("rounds.needs_projects"))
        }
        guard form.isValid, let wanted else { return try await render(req, round, form: form, formName: "status", status: form.status) }
        // Counting must be possible under the round's rule before voting is closed for it (a count that could not
        // finish would leave the round without a result); publishing shows the stored result, still matching the ballots.
        var counted: RoundResultStore.Counted? = nil
        do {
            if wanted == .counting { counted = try await RoundResultStore.count(round, on: req.db) }
            if wanted == .published, !(try await RoundResultStore.isCurrent(round, on: req.db)) {
                try await RoundResultStore.compute(round, app: req.application)
            }
        } catch let tooLarge as RuleTooLarge {
            form.fail("status", req.t("rounds.rule_too_large", ["rule": req.t("rule.\(tooLarge.rule.rawValue)"), "runs": String(tooLarge.runs)]))
            return try await render(req, round, form: form, formName: "status", status: .conflict)
        }
        let before = round.snapshot
        let expected = round.version
        round.status = wanted
        round.version = expected + 1
        let saved = try await req.write { db -> Bool in
            guard try await VersionClaim.claim(BudgetRound.schema, id: try round.requireID(), expected: expected, on: db) else { return false }
            try await round.update(on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "round.status", entityType: "round", entityID: GrantDisplay.id(round),
                                      before: before, after: round.snapshot)
            return true
        }
        guard saved else {
            form.failStale("status", req)
            return try await render(req, try await Self.load(req), form: form, formName: "status", status: .conflict)
        }
        // Voting has closed: the ballots are final (a late ballot finds the round no longer open, under its lock),
        // so the result is counted now, once, and kept.
        if let counted { try await RoundResultStore.storeIfCurrent(counted, round, app: req.application) }
        req.flash("admin.saved")
        return req.redirect(to: Self.path(round), redirectType: .normal)
    }

    // MARK: - Voting

    struct DuplicateBallot: Error {}
    enum ProjectsClosed: Error { case closed, full }
    /// A round's ballot lists at most this many projects (a ballot is read and counted per project).
    static let maximumProjects = 200
    struct VotingClosed: Error {}

    /// Reads the ballot form: ticked projects (`choice[]`), or points per project (`points_<code>`).
    static func readBallot(_ req: Request, _ data: RoundData) -> (choices: [BallotChoice], unreadable: Bool) {
        if data.round.type == .cumulative {
            var choices: [BallotChoice] = []
            var unreadable = false
            for (index, code) in data.codes.enumerated() {
                let text = (req.formFields["points_\(code)"] ?? "").trimmingCharacters(in: .whitespaces)
                if text.isEmpty || text == "0" { continue }
                if let points = BoundedInt.parse(text, in: BallotDesign.pointsRange) { choices.append(BallotChoice(project: index, points: points)) } else { unreadable = true }
            }
            return (choices, unreadable)
        }
        let ticked = Set((try? req.content.get([String].self, at: "choice")) ?? [])
        return (data.codes.enumerated().filter { ticked.contains($0.element) }.map { BallotChoice(project: $0.offset) }, false)
    }

    static func describe(_ problem: BallotProblem, _ req: Request) -> String {
        switch problem {
        case .empty: req.t("ballot.empty")
        case .duplicate: req.t("ballot.duplicate_choice")
        case .tooFew(let minimum): req.t("ballot.too_few", ["count": String(minimum)])
        case .tooMany(let maximum): req.t("ballot.too_many", ["count": String(maximum)])
        case .overEnvelope(let chosen, let envelope):
            req.t("ballot.over_envelope", ["chosen": Money(minorUnits: chosen).formatted(req.language), "envelope": Money(minorUnits: envelope).formatted(req.language),
                                           "over": Money(minorUnits: chosen.saturatingSubtracting(envelope)).formatted(req.language)])
        case .pointsNotDistributed(let expected, let given): req.t("ballot.points_total", ["expected": String(expected), "given": String(given)])
        case .pointsNotPositive: req.t("ballot.points_positive")
        }
    }

    func vote(req: Request) async throws -> Response {
        let round = try await Self.load(req)
        let user = try req.requireUser()
        let data = try await RoundData.load(round, on: req.db, ballots: .of(user.id))
        let (choices, unreadable) = Self.readBallot(req, data)
        guard round.isOpen(on: Day.today()) else {
            return try await render(req, round, ballot: choices, ballotErrors: [req.t("ballot.closed")], status: .conflict)
        }
        if let reason = try await Self.eligibility(req, round) {
            return try await render(req, round, ballot: choices,
                                    ballotErrors: [req.t(reason, ["territory": round.territory.name.display(req.language).text])], status: .forbidden)
        }
        var errors = data.round.design.problems(choices, costs: data.costs).map { Self.describe($0, req) }
        if unreadable { errors.insert(req.t("ballot.points_unreadable"), at: 0) }
        guard errors.isEmpty else { return try await render(req, round, ballot: choices, ballotErrors: errors, status: .unprocessableEntity) }
        let roundID = (try round.requireID()), userID = (try user.requireID())
        let projectIDs = try data.projects.map { try $0.requireID() }
        do {
            let changed = try await req.write { db -> Bool in
                // Under the round's lock: a ballot either lands before voting closes or finds it closed.
                try await RowLock.lock(BudgetRound.schema, id: roundID, on: db)
                guard let current = try await BudgetRound.find(roundID, on: db), current.isOpen(on: Day.today()) else { throw VotingClosed() }
                let existing = try await BudgetBallot.query(on: db).filter(\.$round.$id == roundID).filter(\.$voter.$id == userID).first()
                let ballot = existing ?? BudgetBallot(roundID: roundID, voterID: userID, channel: .online)
                if let existing {
                    // Touching the row first locks it (PostgreSQL): a concurrent change waits, then
                    // replaces these choices instead of adding its own beside them.
                    try await (db as? any SQLDatabase)?.update(BudgetBallot.schema).set("updated_at", to: Date())
                        .where("id", .equal, try existing.requireID()).run()
                    try await BallotChoiceRecord.query(on: db).filter(\.$ballot.$id == (try existing.requireID())).delete()
                } else {
                    do { try await ballot.create(on: db) } catch let error as any DatabaseError where error.isConstraintFailure { throw DuplicateBallot() }
                }
                for choice in choices {
                    try await BallotChoiceRecord(ballotID: (try ballot.requireID()), projectID: projectIDs[choice.project], points: choice.points).create(on: db)
                }
                // The audit log records that a ballot was cast or changed, never what it says.
                try await AuditLog.record(on: db, by: req.auditActor, action: existing == nil ? "ballot.cast" : "ballot.change", entityType: "round",
                                          entityID: roundID.uuidString.lowercased())
                return existing != nil
            }
            req.flash(changed ? "ballot.changed" : "ballot.cast")
        } catch is DuplicateBallot {
            return try await render(req, round, ballot: choices, ballotErrors: [req.t("ballot.already_cast")], status: .conflict)
        } catch is VotingClosed {
            return try await render(req, try await Self.load(req), ballot: choices, ballotErrors: [req.t("ballot.closed")], status: .conflict)
        }
        return req.redirect(to: Self.path(round) + "#ballot", redirectType: .normal)
    }
}
