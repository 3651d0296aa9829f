import DemilgeCore
import Fluent
import Vapor

/// Community commissions, their meetings and decisions, and the joint action plans (БАП) for the
/// problems they choose.
struct CommissionController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("commissions", use: index)
        routes.get("commissions", "new", use: newForm)
        routes.post("commissions", use: create)
        routes.get("commissions", ":id", use: show)
        routes.get("commissions", ":id", "plan.csv", use: planCSV)
        routes.get("commissions", ":id", "plan.json", use: planJSON)
        routes.post("commissions", ":id", "members", use: addMember)
        routes.post("commissions", ":id", "meetings", use: addMeeting)
        routes.post("commissions", ":id", "measures", use: addMeasure)
        routes.post("commissions", ":id", "measures", ":measure", use: updateMeasure)
    }


    // MARK: - List and create

    func index(req: Request) async throws -> Response {
        struct Row: Encodable { let id: String; let name: String; let territory: TerritoryLink; let members: Int; let measures: Int; let overdue: Int }
        struct Content: Encodable { let commissions: [Row]; let canCreate: Bool }
        let today = Day.today()
        let commissions = try await Commission.query(on: req.db).with(\.$territory).with(\.$members).with(\.$measures).sort(\.$name).all()
        return try await req.page("commissions/index", titleKey: "commissions.title", Content(
            commissions: commissions.map { c in
                Row(id: c.idString, name: c.name, territory: TerritoryLink(c.territory, req.language, catalog: req.application.catalog),
                    members: c.members.count, measures: c.measures.count,
                    overdue: c.measures.filter { ActionPlanRules.isOverdue(deadline: $0.deadline, status: $0.status, today: today) }.count)
            },
            canCreate: Policy.allowsSomewhere(req.actor, .recordCommission)))
    }

    private func renderNew(_ req: Request, _ form: FormState, status: HTTPResponseStatus = .ok) async throws -> Response {
        try await req.territoryForm("commissions/new", titleKey: "commissions.new", form, status: status)
    }

    func newForm(req: Request) async throws -> Response {
        guard req.actor.isSignedIn else { throw DemilgeError.signInRequired }
        return try await renderNew(req, FormState())
    }

    func create(req: Request) async throws -> Response {
        guard req.actor.isSignedIn else { throw DemilgeError.signInRequired }
        var form = FormState.read(req, fields: ["territory", "name"])
        form.requireText("name", length: 3...200, req)
        let territory = try await Territory.query(on: req.db).filter(\.$code == form["territory"]).first()
        if territory == nil { form.fail("territory", req.t("validation.choose_from_list")) }
        if let territory, !req.can(.recordCommission, on: try await TerritoryPath.target((try territory.requireID()), on: req.db)) {
            form.fail("territory", req.t("commissions.not_your_territory"), .forbidden)
        }
        guard form.isValid, let territory else { return try await renderNew(req, form, status: form.status) }
        let commission = Commission()
        commission.$territory.id = (try territory.requireID())
        commission.name = form["name"]
        try await req.write { db in
            try await commission.create(on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "commission.create", entityType: "commission",
                                      entityID: commission.idString, after: ["name": commission.name, "territory": territory.code])
        }
        req.flash("admin.saved")
        return req.redirect(to: .commission(commission.id))
    }

    // MARK: - The commission's page

    private func load(_ req: Request) async throws -> Commission {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
              let commission = try await Commission.query(on: req.db).filter(\.$id == id).with(\.$territory).with(\.$members)
                .with(\.$meetings, { $0.with(\.$decisions, { $0.with(\.$problem) }) })
                .with(\.$measures, { $0.with(\.$problem) }).first() else { throw DemilgeError.notFound }
        return commission
    }

    private func target(_ commission: Commission, _ req: Request) async throws -> Target {
        try await TerritoryPath.target(commission.$territory.id, on: req.db)
    }

    struct MeasureView: Encodable {
        let id: String, description: String, responsible: String, deadline: String, deadlineISO: String
        let amount: String, source: String, status: String, statusKey: String, progress: Int, overdue: Bool, version: Int
        let statuses: [Option]
    }

    struct PlanView: Encodable { let problemID: String; let problem: String; let measures: [MeasureView]; let total: String }

    struct ShowContent: Encodable {
        struct Member: Encodable { let name: String; let affiliation: String; let position: String }
        struct Decision: Encodable { let problemID: String; let problem: String; let reason: String }
        struct Meeting: Encodable { let date: String; let present: Int; let minutes: String; let decisions: [Decision] }
        let id: String
        let name: String
        let territory: TerritoryLink
        let members: [Member]
        let meetings: [Meeting]
        let plans: [PlanView]
        let overdue: Int
        let canRecord: Bool
        let affiliations: [Option]
        let problems: [Option]
        let chosen: [Option]
        let sources: [Option]
        let form: FormState
        let formName: String
    }

    func show(req: Request) async throws -> Response {
        try await render(req, try await load(req))
    }

    static func measureViews(_ commission: Commission, _ req: Request) -> [PlanView] {
        let today = Day.today()
        let byProblem = Dictionary(grouping: commission.measures, by: { $0.$problem.id })
        return byProblem.values.compactMap { measures -> PlanView? in
            guard let problem = measures.first?.problem else { return nil }
            let sorted = measures.sorted { $0.deadline < $1.deadline }
            let total = Money(minorUnits: Money.sum(sorted.map(\.plannedTyiyn)))
            return PlanView(problemID: problem.idString, problem: problem.title, measures: sorted.map { m in
                MeasureView(id: m.idString, description: m.description, responsible: m.responsible,
                            deadline: m.deadline.formatted(req.language), deadlineISO: m.deadline.description,
                            amount: Money(minorUnits: m.plannedTyiyn).formatted(req.language),
                            source: req.t(FundingSource(rawValue: m.source.rawValue)?.catalogKey ?? m.source.rawValue),
                            status: req.t(m.status.catalogKey), statusKey: m.status.rawValue, progress: m.progress,
                            overdue: ActionPlanRules.isOverdue(deadline: m.deadline, status: m.status, today: today), version: m.version,
                            statuses: MeasureStatus.allCases.map { .init(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0 == m.status) })
            }, total: total.formatted(req.language))
        }.sorted { $0.problem < $1.problem }
    }

    private func render(_ req: Request, _ commission: Commission, form: FormState = FormState(), formName: String = "", status: HTTPResponseStatus = .ok) async throws -> Response {
        let target = try await target(commission, req)
        let directory = try await TerritoryDirectory.load(on: req.db)
        let subtree = directory.subtree(of: commission.$territory.id)
        let problems = try await Problem.query(on: req.db).filter(\.$territory.$id ~~ Array(subtree)).filter(\.$hidden == false)
            .filter(\.$mergedInto.$id == nil).sort(\.$supportCount, .descending).all()
        let decided = commission.meetings.flatMap(\.decisions).map(\.problem)
        let plans = Self.measureViews(commission, req)
        return try await req.page("commissions/show", titleKey: "", ShowContent(
            id: commission.idString, name: commission.name,
            territory: TerritoryLink(commission.territory, req.language, catalog: req.application.catalog),
            members: commission.members.map { .init(name: $0.name, affiliation: req.t(CommissionAffiliation(rawValue: $0.affiliation)?.catalogKey ?? $0.affiliation), position: $0.position) },
            meetings: commission.meetings.sorted { $0.heldOn > $1.heldOn }.map { meeting in
                .init(date: meeting.heldOn.formatted(req.language), present: meeting.present, minutes: meeting.minutes,
                      decisions: meeting.decisions.map { .init(problemID: $0.problem.idString, problem: $0.problem.title, reason: $0.reason) })
            },
            plans: plans, overdue: plans.flatMap(\.measures).filter(\.overdue).count,
            canRecord: req.can(.recordCommission, on: target),
            affiliations: CommissionAffiliation.allCases.map { .init(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0.rawValue == form["affiliation"]) },
            problems: problems.map { .init(value: $0.idString, label: $0.title, selected: $0.idString == form["problem"]) },
            chosen: decided.map { .init(value: $0.idString, label: $0.title, selected: $0.idString == form["problem"]) },
            sources: FundingSource.allCases.map { .init(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0.rawValue == form["source"]) },
            form: form, formName: formName), title: commission.name, status: status)
    }

    // MARK: - Members, meetings and decisions

    func addMember(req: Request) async throws -> Response {
        let commission = try await load(req)
        try req.authorize(.recordCommission, on: try await target(commission, req))
        var form = FormState.read(req, fields: ["name", "affiliation", "position"])
        form.requireText("name", length: 2...150, req)
        form.optionalText("position", max: 150, req)
        let affiliation = CommissionAffiliation(rawValue: form["affiliation"])
        if affiliation == nil { form.fail("affiliation", req.t("validation.choose_from_list")) }
        guard form.isValid, let affiliation else { return try await render(req, commission, form: form, formName: "member", status: .unprocessableEntity) }
        let member = CommissionMember()
        member.$commission.id = (try commission.requireID())
        member.name = form["name"]
        member.affiliation = affiliation.rawValue
        member.position = form["position"]
        try await req.write { db in
            try await member.create(on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "commission.member", entityType: "commission",
                                      entityID: commission.idString, after: ["name": member.name, "affiliation": member.affiliation])
        }
        req.flash("admin.saved")
        return req.redirect(to: .commission(commission.id))
    }

    /// Records a meeting; a decision in it chooses a main problem, which becomes prioritised
    /// (with the decision's reason in its public history) when its status allows.
    func addMeeting(req: Request) async throws -> Response {
        let commission = try await load(req)
        try req.authorize(.recordCommission, on: try await target(commission, req))
        var form = FormState.read(req, fields: ["held_on", "present", "minutes", "problem", "reason"])
        form.requireDay("held_on", req)
        let present = form.integer("present", in: 0...500)
        if present == nil { form.fail("present", req.t("validation.count")) }
        form.requireText("minutes", length: 5...20_000, req)
        var problem: Problem? = nil
        if !form["problem"].isEmpty {
            let subtree = try await TerritoryDirectory.load(on: req.db).subtree(of: commission.$territory.id)
            problem = try await UUID(uuidString: form["problem"]).asyncFlatMap { try await Problem.find($0, on: req.db) }
            if problem.map({ !subtree.contains($0.$territory.id) }) ?? true { form.fail("problem", req.t("validation.choose_from_list")) }
            form.requireText("reason", length: 5...2000, req)
        }
        guard form.isValid, let present else { return try await render(req, commission, form: form, formName: "meeting", status: .unprocessableEntity) }
        let meeting = CommissionMeeting()
        meeting.$commission.id = (try commission.requireID())
        meeting.heldOn = try Day(stored: form["held_on"])
        meeting.present = present
        meeting.minutes = form["minutes"]
        let reason = form["reason"]
        let chosen = problem
        try await req.write { db in
            try await meeting.create(on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "commission.meeting", entityType: "commission",
                                      entityID: commission.idString, after: ["held_on": meeting.heldOn.description, "present": String(present)])
            guard let chosen else { return }
            let decision = CommissionDecision()
            decision.$meeting.id = (try meeting.requireID())
            decision.$problem.id = (try chosen.requireID())
            decision.reason = reason
            try await decision.create(on: db)
            if chosen.status.next.contains(.prioritised) {
                let before = chosen.snapshot
                let from = chosen.status
                chosen.status = ProblemStatus.prioritised
                chosen.version = chosen.version.saturatingAdding(1)
                try await chosen.update(on: db)
                try await ProblemEvent(problemID: (try chosen.requireID()), from: from, to: .prioritised, reason: reason).create(on: db)
                try await AuditLog.record(on: db, by: req.auditActor, action: "problem.status", entityType: "problem",
                                          entityID: chosen.idString, before: before, after: chosen.snapshot)
            }
            try await AuditLog.record(on: db, by: req.auditActor, action: "commission.decision", entityType: "commission",
                                      entityID: commission.idString, after: ["problem": chosen.idString, "reason": reason])
        }
        req.flash("commissions.meeting_saved")
        return req.redirect(to: .commission(commission.id))
    }

    // MARK: - The action plan

    func addMeasure(req: Request) async throws -> Response {
        let commission = try await load(req)
        try req.authorize(.manageActionPlan, on: try await target(commission, req))
        var form = FormState.read(req, fields: ["problem", "description", "responsible", "deadline", "amount", "source"])
        form.requireText("description", length: 5...1000, req)
        form.requireText("responsible", length: 2...200, req)
        form.requireDay("deadline", req)
        var amount = Money.som(0)
        do { amount = try Money.parse(form["amount"]) }
        catch .empty { form.fail("amount", req.t("validation.required")) }
        catch { form.fail("amount", req.t("validation.money")) }
        let source = FundingSource(rawValue: form["source"])
        if source == nil { form.fail("source", req.t("validation.choose_from_list")) }
        let chosen = commission.meetings.flatMap(\.decisions).map(\.problem).first { $0.idString == form["problem"] }
        if chosen == nil { form.fail("problem", req.t("commissions.choose_decided")) }
        guard form.isValid, let source, let chosen else { return try await render(req, commission, form: form, formName: "measure", status: .unprocessableEntity) }
        let measure = ActionMeasure()
        measure.$commission.id = (try commission.requireID())
        measure.$problem.id = (try chosen.requireID())
        measure.description = form["description"]
        measure.responsible = form["responsible"]
        measure.deadline = try Day(stored: form["deadline"])
        measure.plannedTyiyn = amount.minorUnits
        measure.source = source
        measure.status = MeasureStatus.planned
        measure.progress = 0
        measure.version = 1
        try await req.write { db in
            try await measure.create(on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "plan.measure", entityType: "commission",
                                      entityID: commission.idString, after: measure.snapshot)
        }
        req.flash("admin.saved")
        return req.redirect(to: .commissionPlan(commission.id))
    }

    func updateMeasure(req: Request) async throws -> Response {
        let commission = try await load(req)
        try req.authorize(.manageActionPlan, on: try await target(commission, req))
        guard let measureID = req.parameters.get("measure").flatMap(UUID.init(uuidString:)),
              let measure = commission.measures.first(where: { $0.id == measureID }) else { throw DemilgeError.notFound }
        var form = FormState.read(req, fields: ["status", "progress", "version"])
        let status = MeasureStatus(rawValue: form["status"])
        if status == nil { form.fail("status", req.t("validation.choose_from_list")) }
        let progress = form.integer("progress", in: 0...100)
        if progress == nil { form.fail("progress", req.t("validation.percent")) }
        if form.version != measure.version { form.failStale("status", req) }
        guard form.isValid, let status, let progress else {
            return try await render(req, commission, form: form, formName: "progress", status: form.status)
        }
        let before = measure.snapshot
        let expected = measure.version
        measure.status = status
        measure.progress = status == .done ? 100 : progress
        measure.version = measure.version.saturatingAdding(1)
        let saved = try await req.write { db -> Bool in
            guard try await VersionClaim.claim(ActionMeasure.schema, id: (try measure.requireID()), expected: expected, on: db) else { return false }
            try await measure.update(on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "plan.progress", entityType: "commission",
                                      entityID: commission.idString, before: before, after: measure.snapshot)
            return true
        }
        guard saved else {
            form.failStale("status", req)
            return try await render(req, try await load(req), form: form, formName: "progress", status: .conflict)
        }
        req.flash("admin.saved")
        return req.redirect(to: .commissionPlan(commission.id))
    }

    // MARK: - Open data

    struct MeasureExport: Content {
        let problemID: String, problem: String, measure: String, responsible: String, deadline: String
        let plannedTyiyn: Int64, plannedSom: String, source: String, status: String, progress: Int, overdue: Bool
    }

    private func planExports(_ req: Request) async throws -> [MeasureExport] {
        let commission = try await load(req)
        let today = Day.today()
        return commission.measures.sorted { $0.deadline < $1.deadline }.map { m in
            MeasureExport(problemID: m.problem.idString, problem: m.problem.title, measure: m.description, responsible: m.responsible,
                          deadline: m.deadline.description, plannedTyiyn: m.plannedTyiyn, plannedSom: "\(m.plannedTyiyn / 100).\(String(format: "%02d", m.plannedTyiyn % 100))",
                          source: m.source.rawValue, status: m.status.rawValue, progress: m.progress,
                          overdue: ActionPlanRules.isOverdue(deadline: m.deadline, status: m.status, today: today))
        }
    }

    func planCSV(req: Request) async throws -> Response {
        let rows = try await planExports(req)
        return OpenData.csv(CSV.write(header: ["problem_id", "problem", "measure", "responsible", "deadline", "planned_som", "source", "status", "progress", "overdue"],
                                      rows: rows.map { [$0.problemID, $0.problem, $0.measure, $0.responsible, $0.deadline, $0.plannedSom, $0.source, $0.status, String($0.progress), $0.overdue ? "yes" : "no"] }),
                            filename: "demilge-action-plan.csv")
    }

    func planJSON(req: Request) async throws -> Response {
        try await OpenData.json(try await planExports(req), on: req)
    }
}
