import DemilgeCore
import Fluent
import Vapor

/// Applications: drafted and submitted by a member of the applicant organisation, checked against the call,
/// locked once submitted, and followed on one public page from the problem behind them to closure.
struct GrantApplicationController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("grants", ":call", "apply", use: newForm)
        routes.post("grants", ":call", "apply", use: create)
        routes.get("applications", ":id", use: show)
        routes.get("applications", ":id", "edit", use: editForm)
        routes.post("applications", ":id", use: update)
        routes.post("applications", ":id", "status", use: move)
    }

    static let fields = ["organisation", "territory", "problem", "measure", "title", "summary", "goals", "activities", "lines", "requested", "total", "intent"]
        + Participants.allKeys.map(\.key)

    // MARK: - The form

    struct FormContent: Encodable {
        let call: String, callID: String, action: String
        let form: FormState
        let organisations: [Option], problems: [Option], measures: [Option], hasMeasures: Bool
        let beneficiaries: [ParticipantGrid.Row], bands: [String]
        let refusals: [String], hasRefusals: Bool
        let sources: String
        let terms: String
    }

    private func renderForm(_ req: Request, _ call: GrantCall, _ form: FormState, action: String, problems: [String] = [],
                            status: HTTPResponseStatus = .ok) async throws -> Response {
        guard let userID = req.actor.userID else { throw DemilgeError.signInRequired }
        let memberships = try await OrganisationMember.query(on: req.db).filter(\.$user.$id == userID).with(\.$organisation).all()
        let territories = Set(memberships.compactMap { $0.organisation.territoryID })
        let directory = try await TerritoryDirectory.load(on: req.db)
        let near = territories.flatMap { directory.subtree(of: $0) }
        let openProblems = near.isEmpty ? [] : try await Problem.query(on: req.db).filter(\.$territory.$id ~~ near).filter(\.$hidden == false)
            .filter(\.$mergedInto.$id == nil).sort(\.$supportCount, .descending).all()
        let commissions = near.isEmpty ? [] : try await Commission.query(on: req.db).filter(\.$territory.$id ~~ near).all().compactMap(\.id)
        let measures = commissions.isEmpty ? [] : try await ActionMeasure.query(on: req.db).filter(\.$commission.$id ~~ commissions).with(\.$problem).all()
        let content = FormContent(
            call: call.title, callID: GrantDisplay.id(call), action: action, form: form,
            organisations: memberships.map { Option(value: $0.organisation.slug, label: $0.organisation.name.text(req.language), selected: $0.organisation.slug == form["organisation"]) },
            problems: openProblems.map { Option(value: GrantDisplay.id($0), label: $0.title, selected: GrantDisplay.id($0) == form["problem"]) },
            measures: measures.map { Option(value: GrantDisplay.id($0), label: "\($0.problem.title) — \($0.description)", selected: GrantDisplay.id($0) == form["measure"]) },
            hasMeasures: !measures.isEmpty,
            beneficiaries: ParticipantGrid.rows(form, req), bands: AgeBand.allCases.map { req.t($0.catalogKey) },
            refusals: problems, hasRefusals: !problems.isEmpty,
            sources: FundingSource.grantFirst.map { "\($0.rawValue) = \(req.t($0.catalogKey))" }.joined(separator: "; "),
            terms: req.t("grants.terms_line", ["min": GrantDisplay.money(call.minGrantTyiyn, req), "max": GrantDisplay.money(call.maxGrantTyiyn, req),
                                               "share": String(call.coFundingPercent), "deadline": call.deadline.formatted(req.language)]))
        return try await req.page("grants/apply", titleKey: "grants.apply", content, forms: true, status: status)
    }

    func newForm(req: Request) async throws -> Response {
        guard req.actor.isSignedIn else { throw DemilgeError.signInRequired }
        let call = try await GrantDisplay.loadCall(req)
        guard call.status == .open else { throw DemilgeError.notFound }
        var form = FormState()
        form.values["lines"] = ""
        return try await renderForm(req, call, form, action: "\(GrantDisplay.callPath(call))/apply")
    }

    /// What the form says, read and checked; `problems` are the reasons it may not be submitted.
    struct Reading {
        var form: FormState
        var organisation: Organisation?
        var territory: Territory?
        var problem: Problem?
        var measure: ActionMeasure?
        var lines: [BudgetLine] = []
        var activities: [GrantApplication.Activity] = []
        var beneficiaries = Participants()
        var requested: Int64 = 0
        var total: Int64 = 0
        var problems: [String] = []
        var submit: Bool { form["intent"] == "submit" }
    }

    private func read(_ req: Request, _ call: GrantCall) async throws -> Reading {
        var reading = Reading(form: FormState.read(req, fields: Self.fields))
        reading.form.requireText("title", length: 3...200, req)
        reading.form.optionalText("summary", max: 5000, req)
        reading.form.optionalText("goals", max: 3000, req)
        guard let userID = req.actor.userID else { throw DemilgeError.signInRequired }
        reading.organisation = try await Organisation.query(on: req.db).filter(\.$slug == reading.form["organisation"]).first()
        if let organisation = reading.organisation {
            let member = try await OrganisationMember.query(on: req.db).filter(\.$organisation.$id == organisation.requireID()).filter(\.$user.$id == userID).first()
            if member == nil { reading.form.fail("organisation", req.t("grants.not_your_organisation"), .forbidden) }
            // The project is the applicant organisation's own municipality's: not a place to choose (a choice would
            // also escape the own-municipality conflict check of reviewers).
            reading.territory = try await organisation.territoryID.asyncFlatMap { try await Territory.find($0, on: req.db) }
            if reading.territory == nil && member != nil { reading.form.fail("organisation", req.t("grants.organisation_without_territory")) }
            reading.form.values["territory"] = reading.territory?.code ?? ""
        } else { reading.form.fail("organisation", req.t("validation.choose_from_list")) }
        if !reading.form["problem"].isEmpty {
            reading.problem = try await reading.form["problem"].uuid.asyncFlatMap { try await Problem.find($0, on: req.db) }
            if reading.problem == nil { reading.form.fail("problem", req.t("validation.choose_from_list")) }
        }
        if !reading.form["measure"].isEmpty {
            reading.measure = try await reading.form["measure"].uuid.asyncFlatMap { id in
                try await ActionMeasure.query(on: req.db).filter(\.$id == id).with(\.$problem).first()
            }
            if let measure = reading.measure {
                if reading.problem == nil { reading.problem = measure.problem }
                else if reading.problem?.id != measure.$problem.id { reading.form.fail("measure", req.t("grants.measure_other_problem")) }
            } else { reading.form.fail("measure", req.t("validation.choose_from_list")) }
        }
        func amount(_ field: String) -> Int64 {
            guard !reading.form[field].isEmpty else { return 0 }
            guard let money = try? Money.parse(reading.form[field]), money.minorUnits >= 0 else { reading.form.fail(field, req.t("validation.money")); return 0 }
            return money.minorUnits
        }
        reading.requested = amount("requested")
        reading.total = amount("total")
        switch GrantLines.budgetLines(reading.form["lines"]) {
        case .success(let lines): reading.lines = lines
        case .failure(let errors):
            reading.form.fail("lines", GrantDisplay.lineErrors(errors, req).joined(separator: " "))
        }
        switch GrantLines.activities(reading.form["activities"]) {
        case .success(let activities): reading.activities = activities.map { GrantApplication.Activity(what: $0.what, from: $0.from, to: $0.to) }
        case .failure(let errors):
            reading.form.fail("activities", GrantDisplay.lineErrors(errors, req).joined(separator: " "))
        }
        do { reading.beneficiaries = try Participants.parse(reading.form.values) }
        catch .none { if reading.submit { reading.form.fail("beneficiaries", req.t("grants.beneficiaries_required")) } }
        catch { reading.form.fail("beneficiaries", req.t("validation.count")) }

        if reading.submit, reading.form.isValid, let organisation = reading.organisation, let territory = reading.territory {
            let kind: ApplicantKind = organisation.kind == .cso ? .cso : .municipality
            let path = try await TerritoryPath.ids(from: (try territory.requireID()), on: req.db)
            let eligible = call.territoryIDs.isEmpty || call.territoryIDs.contains { path.contains($0) }
            let budget = ApplicationBudget(requestedTyiyn: reading.requested, totalTyiyn: reading.total, lines: reading.lines)
            reading.problems = ApplicationCheck.problems(budget, kind: kind, territoryEligible: eligible, terms: call.terms, today: Day.today())
                .map { Self.explain($0, req) }
            if reading.activities.isEmpty { reading.problems.append(req.t("grants.activities_required")) }
        }
        return reading
    }

    static func explain(_ problem: ApplicationProblem, _ req: Request) -> String {
        let money = { (tyiyn: Int64) in GrantDisplay.money(tyiyn, req) }
        switch problem {
        case .lineNotPositive(let line): return req.t(problem.catalogKey, ["line": String(line)])
        case .grantLinesDoNotSum(let lines, let requested): return req.t(problem.catalogKey, ["lines": money(lines), "requested": money(requested)])
        case .linesDoNotSum(let lines, let total): return req.t(problem.catalogKey, ["lines": money(lines), "total": money(total)])
        case .overMaximum(let requested, let maximum): return req.t(problem.catalogKey, ["requested": money(requested), "maximum": money(maximum)])
        case .belowMinimum(let requested, let minimum): return req.t(problem.catalogKey, ["requested": money(requested), "minimum": money(minimum)])
        case .coFundingBelowShare(let required, let actual):
            return req.t(problem.catalogKey, ["required": String(required),
                                              "actual": Formatters.decimal((actual * Rational(100)).decimal(digits: 1), fractionDigits: 1, req.language)])
        case .applicantKindNotEligible(let kind): return req.t(problem.catalogKey, ["kind": req.t(kind.catalogKey)])
        case .pastDeadline(let deadline): return req.t(problem.catalogKey, ["deadline": deadline.formatted(req.language)])
        case .noBudgetLines, .territoryNotEligible: return req.t(problem.catalogKey)
        }
    }

    private func store(_ reading: Reading, into application: GrantApplication) throws {
        guard let organisation = reading.organisation, let territory = reading.territory else { throw DemilgeError.badRequest }
        application.$organisation.id = try organisation.requireID()
        application.$territory.id = try territory.requireID()
        application.$problem.id = reading.problem?.id
        application.$measure.id = reading.measure?.id
        application.title = reading.form["title"]
        application.summary = reading.form["summary"]
        application.goals = reading.form["goals"]
        application.activities = reading.activities
        application.requestedTyiyn = reading.requested
        application.totalTyiyn = reading.total
        application.beneficiaries = reading.beneficiaries
    }

    private func saveLines(_ lines: [BudgetLine], of applicationID: UUID, on db: any Database) async throws {
        try await GrantBudgetLine.query(on: db).filter(\.$application.$id == applicationID).delete()
        for (index, line) in lines.enumerated() { try await GrantBudgetLine(applicationID: applicationID, position: index + 1, line: line).create(on: db) }
    }

    func create(req: Request) async throws -> Response {
        guard req.actor.isSignedIn else { throw DemilgeError.signInRequired }
        let call = try await GrantDisplay.loadCall(req)
        let action = "\(GrantDisplay.callPath(call))/apply"
        guard call.status == .open else {
            var form = FormState.read(req, fields: Self.fields)
            form.fail("intent", req.t("grants.call_not_open"))
            return try await renderForm(req, call, form, action: action, status: .conflict)
        }
        var reading = try await read(req, call)
        if let organisation = reading.organisation,
           try await GrantApplication.query(on: req.db).filter(\.$call.$id == (try call.requireID())).filter(\.$organisation.$id == (try organisation.requireID())).first() != nil {
            reading.form.fail("organisation", req.t("grants.already_applied"))
        }
        guard reading.form.isValid, reading.problems.isEmpty else {
            return try await renderForm(req, call, reading.form, action: action, problems: reading.problems, status: reading.form.status)
        }
        let application = GrantApplication()
        application.$call.id = (try call.requireID())
        application.status = GrantStatus.draft
        application.version = 1
        application.$createdBy.id = req.actor.userID
        try store(reading, into: application)
        let submit = reading.submit
        let lines = reading.lines
        do {
            try await req.write { db in
                try await application.create(on: db)
                try await self.saveLines(lines, of: (try application.requireID()), on: db)
                try await GrantTransition(applicationID: (try application.requireID()), from: nil, to: .draft, reason: nil, byName: req.currentUser?.displayName ?? "").create(on: db)
                try await AuditLog.record(on: db, by: req.auditActor, action: "grant.create", entityType: "grant_application",
                                          entityID: GrantDisplay.id(application), after: application.snapshot)
                if submit { try await GrantMove.apply(application, to: .submitted, reason: nil, as: .applicant, by: req, on: db) }
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            reading.form.fail("organisation", req.t("grants.already_applied"))
            return try await renderForm(req, call, reading.form, action: action, status: .conflict)
        }
        req.flash(submit ? "grants.submitted" : "grants.draft_saved")
        return req.redirect(to: GrantDisplay.applicationPath(application), redirectType: .normal)
    }

    static func formState(of application: GrantApplication) -> FormState {
        var form = FormState()
        form.values["organisation"] = application.organisation.slug
        form.values["territory"] = application.territory.code
        form.values["problem"] = application.$problem.id.map { $0.uuidString.lowercased() } ?? ""
        form.values["measure"] = application.$measure.id.map { $0.uuidString.lowercased() } ?? ""
        form.values["title"] = application.title
        form.values["summary"] = application.summary
        form.values["goals"] = application.goals
        form.values["activities"] = application.activities.map { "\($0.what) | \($0.from) | \($0.to)" }.joined(separator: "\n")
        form.values["lines"] = application.lines.sorted { $0.position < $1.position }
            .map { "\($0.item) | \($0.source) | \(Money(minorUnits: $0.amountTyiyn).plain(.whenNeeded))" }.joined(separator: "\n")
        form.values["requested"] = Money(minorUnits: application.requestedTyiyn).plain(.whenNeeded)
        form.values["total"] = Money(minorUnits: application.totalTyiyn).plain(.whenNeeded)
        let beneficiaries = application.beneficiaries
        for sex in Sex.allCases { for band in AgeBand.allCases where beneficiaries[sex, band] > 0 { form.values[Participants.key(sex, band)] = String(beneficiaries[sex, band]) } }
        form.values["version"] = String(application.version)
        return form
    }

    func editForm(req: Request) async throws -> Response {
        let application = try await GrantDisplay.loadApplication(req)
        let viewer = try await GrantViewer.load(req, call: application.call)
        guard req.actor.isSignedIn else { throw DemilgeError.signInRequired }
        guard viewer.isApplicant(application) else { throw DemilgeError.forbidden }
        guard application.status == .draft else { return try await Self.render(req, application, notice: "grants.locked", status: .conflict) }
        return try await renderForm(req, application.call, Self.formState(of: application), action: GrantDisplay.applicationPath(application))
    }

    func update(req: Request) async throws -> Response {
        guard req.actor.isSignedIn else { throw DemilgeError.signInRequired }
        let application = try await GrantDisplay.loadApplication(req)
        let viewer = try await GrantViewer.load(req, call: application.call)
        guard viewer.isApplicant(application) else { throw DemilgeError.forbidden }
        guard application.status == .draft else { return try await Self.render(req, application, notice: "grants.locked", status: .conflict) }
        let call = application.call
        let action = GrantDisplay.applicationPath(application)
        var reading = try await read(req, call)
        if call.status != .open && reading.submit { reading.problems.append(req.t("grants.call_not_open")) }
        guard reading.form.isValid, reading.problems.isEmpty else {
            return try await renderForm(req, call, reading.form, action: action, problems: reading.problems, status: reading.form.status)
        }
        let expected = VersionClaim.read(req.formFields["version"] ?? "") ?? -1
        try store(reading, into: application)
        let submit = reading.submit
        let lines = reading.lines
        let saved = try await req.write { db -> Bool in
            guard try await VersionClaim.claim(GrantApplication.schema, id: (try application.requireID()), expected: expected, on: db) else { return false }
            application.version = expected + 1
            try await application.update(on: db)
            try await self.saveLines(lines, of: (try application.requireID()), on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "grant.update", entityType: "grant_application",
                                      entityID: GrantDisplay.id(application), after: application.snapshot)
            if submit { try await GrantMove.apply(application, to: .submitted, reason: nil, as: .applicant, by: req, on: db) }
            return true
        }
        guard saved else {
            reading.form.failStale("intent", req)
            return try await renderForm(req, call, reading.form, action: action, status: .conflict)
        }
        req.flash(submit ? "grants.submitted" : "grants.draft_saved")
        return req.redirect(to: action, redirectType: .normal)
    }

    // MARK: - Lifecycle moves

    func move(req: Request) async throws -> Response {
        guard req.actor.isSignedIn else { throw DemilgeError.signInRequired }
        let application = try await GrantDisplay.loadApplication(req)
        let viewer = try await GrantViewer.load(req, call: application.call)
        var form = FormState.read(req, fields: ["to", "reason", "version"])
        guard let to = GrantStatus(rawValue: form["to"]) else { throw DemilgeError.notFound }
        let steps = GrantLifecycle.steps(from: application.status)
        guard let step = steps.first(where: { $0.to == to }) else {
            form.fail("to", req.t("grants.move_not_allowed"))
            return try await Self.render(req, application, form: form, formName: "move", status: .conflict)
        }
        // Awards and contracts have their own forms, which check the money.
        guard ![.approved, .contracted].contains(to) || application.status == .reserve else {
            form.fail("to", req.t("grants.move_not_allowed"))
            return try await Self.render(req, application, form: form, formName: "move", status: .conflict)
        }
        guard let party = viewer.parties(for: application).first(where: { step.by.contains($0) }) else { throw DemilgeError.forbidden }
        if step.needsReason && form["reason"].isEmpty { form.fail("reason", req.t("grants.reason_required")) }
        form.optionalText("reason", max: 2000, req)
        if to == .completed, try await GrantReport.query(on: req.db).filter(\.$application.$id == (try application.requireID())).first() == nil {
            form.fail("to", req.t("grants.report_first"))
        }
        guard form.isValid else { return try await Self.render(req, application, form: form, formName: "move", status: .unprocessableEntity) }
        let expected = form.version ?? -1
        let reason = form["reason"]
        let requested = application.requestedTyiyn
        let moved: Bool
        do {
            moved = try await req.write { db -> Bool in
                guard try await VersionClaim.claim(GrantApplication.schema, id: try application.requireID(), expected: expected, on: db) else { return false }
                // A reserve application is funded only if the money left in the call still covers it, counted with the
                // call locked so that two such awards cannot both pass.
                if to == .approved { try await CallBudget.reserve(requested, in: application.call, on: db) }
                application.version = expected + 1
                try await GrantMove.apply(application, to: to, reason: reason, as: party, by: req, on: db)
                return true
            }
        } catch let over as CallBudget.OverBudget {
            form.fail("to", req.t("grants.over_budget", ["left": GrantDisplay.money(over.leftTyiyn, req), "requested": GrantDisplay.money(requested, req)]))
            return try await Self.render(req, try await GrantDisplay.loadApplication(req), form: form, formName: "move", status: .conflict)
        }
        guard moved else {
            form.failStale("to", req)
            return try await Self.render(req, application, form: form, formName: "move", status: .conflict)
        }
        req.flash("admin.saved")
        return req.redirect(to: GrantDisplay.applicationPath(application), redirectType: .normal)
    }

    // MARK: - The application's page

    func show(req: Request) async throws -> Response {
        try await Self.render(req, try await GrantDisplay.loadApplication(req))
    }

    static func render(_ req: Request, _ application: GrantApplication, form: FormState = FormState(), formName: String = "",
                       notice: String? = nil, status: HTTPResponseStatus = .ok) async throws -> Response {
        let call = application.call
        let viewer = try await GrantViewer.load(req, call: call)
        if application.status == .draft && !viewer.isApplicant(application) && !viewer.isManager {
            throw req.actor.isSignedIn ? DemilgeError.forbidden : DemilgeError.signInRequired
        }
        let page = try await GrantPage.build(req, application, viewer: viewer, form: form, formName: formName, notice: notice)
        return try await req.page("grants/application", titleKey: "grants.application", page, forms: true, title: application.title, status: status)
    }
}

extension String {
    var uuid: UUID? { UUID(uuidString: self) }
}

