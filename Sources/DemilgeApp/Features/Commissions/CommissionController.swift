import DemilgeCore
import Fluent
import Vapor

/// Community commissions, their members, meetings and decisions (the joint action plans they make are
/// `ActionPlanController`'s).
struct CommissionController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("commissions", use: index)
        routes.get("commissions", "new", use: newForm)
        routes.post("commissions", use: create)
        routes.get("commissions", ":id", use: show)
        routes.post("commissions", ":id", "members", use: addMember)
        routes.post("commissions", ":id", "meetings", use: addMeeting)
    }

    // MARK: - List and create

    func index(req: Request) async throws -> Response {
        try await req.page("commissions/index", titleKey: "commissions.title", try await CommissionListPage.build(req))
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

    static func load(_ req: Request) async throws -> Commission {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
              let commission = try await Commission.query(on: req.db).filter(\.$id == id).with(\.$territory).with(\.$members)
                .with(\.$meetings, { $0.with(\.$decisions, { $0.with(\.$problem) }) })
                .with(\.$measures, { $0.with(\.$problem) }).first() else { throw DemilgeError.notFound }
        return commission
    }

    static func target(_ commission: Commission, _ req: Request) async throws -> Target {
        try await TerritoryPath.target(commission.$territory.id, on: req.db)
    }

    func show(req: Request) async throws -> Response {
        try await Self.render(req, try await Self.load(req))
    }

    static func render(_ req: Request, _ commission: Commission, form: FormState = FormState(), formName: String = "", status: HTTPResponseStatus = .ok) async throws -> Response {
        try await req.page("commissions/show", titleKey: "", try await CommissionPage.build(req, commission, form: form, formName: formName),
                           title: commission.name, status: status)
    }

    // MARK: - Members, meetings and decisions

    func addMember(req: Request) async throws -> Response {
        let commission = try await Self.load(req)
        try req.authorize(.recordCommission, on: try await Self.target(commission, req))
        var form = FormState.read(req, fields: ["name", "affiliation", "position"])
        form.requireText("name", length: 2...150, req)
        form.optionalText("position", max: 150, req)
        let affiliation = CommissionAffiliation(rawValue: form["affiliation"])
        if affiliation == nil { form.fail("affiliation", req.t("validation.choose_from_list")) }
        guard form.isValid, let affiliation else { return try await Self.render(req, commission, form: form, formName: "member", status: .unprocessableEntity) }
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
        let commission = try await Self.load(req)
        try req.authorize(.recordCommission, on: try await Self.target(commission, req))
        var form = FormState.read(req, fields: ["held_on", "present", "minutes", "problem", "reason"])
        form.requireDay("held_on", req)
        let present = form.integer("present", in: 0...500)
        if present == nil { form.fail("present", req.t("validation.count")) }
        form.requireText("minutes", length: 5...20_000, req)
        var problem: Problem? = nil
        if !form["problem"].isEmpty {
            let subtree = try await req.territoryDirectory().subtree(of: commission.$territory.id)
            problem = try await UUID(uuidString: form["problem"]).asyncFlatMap { try await Problem.find($0, on: req.db) }
            if problem.map({ !subtree.contains($0.$territory.id) }) ?? true { form.fail("problem", req.t("validation.choose_from_list")) }
            form.requireText("reason", length: 5...2000, req)
        }
        guard form.isValid, let present else { return try await Self.render(req, commission, form: form, formName: "meeting", status: .unprocessableEntity) }
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
            try await Notifier.tell(.init(kind: .decision, subject: .problem, subjectID: try chosen.requireID(), title: chosen.title,
                                          detail: "notify.detail.commission_chose", actor: req.currentUser?.id),
                                    .followers(of: .problem, try chosen.requireID()), on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "commission.decision", entityType: "commission",
                                      entityID: commission.idString, after: ["problem": chosen.idString, "reason": reason])
        }
        req.flash("commissions.meeting_saved")
        return req.redirect(to: .commission(commission.id))
    }
}
