import DemilgeCore
import Fluent
import Vapor

/// The joint action plan: measures for the problems the commission decided on, and their progress.
struct ActionPlanController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.post("commissions", ":id", "measures", use: addMeasure)
        routes.post("commissions", ":id", "measures", ":measure", use: updateMeasure)
    }

    func addMeasure(req: Request) async throws -> Response {
        let commission = try await CommissionController.load(req)
        try req.authorize(.manageActionPlan, on: try await CommissionController.target(commission, req))
        var form = FormState.read(req, fields: ["problem", "description", "responsible", "deadline", "amount", "source"])
        form.requireText("description", length: 5...1000, req)
        form.requireText("responsible", length: 2...200, req)
        form.requireDay("deadline", req)
        var amount = Money.som(0)
        do { amount = try Money.parse(form["amount"], as: req.language) }
        catch .empty { form.fail("amount", req.t("validation.required")) }
        catch { form.fail("amount", req.t("validation.money")) }
        let source = FundingSource(rawValue: form["source"])
        if source == nil { form.fail("source", req.t("validation.choose_from_list")) }
        let chosen = commission.meetings.flatMap(\.decisions).map(\.problem).first { $0.idString == form["problem"] }
        if chosen == nil { form.fail("problem", req.t("commissions.choose_decided")) }
        guard form.isValid, let source, let chosen else { return try await CommissionController.render(req, commission, form: form, formName: "measure", status: .unprocessableEntity) }
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
        let commission = try await CommissionController.load(req)
        try req.authorize(.manageActionPlan, on: try await CommissionController.target(commission, req))
        guard let measureID = req.parameters.get("measure").flatMap(UUID.init(uuidString:)),
              let measure = commission.measures.first(where: { $0.id == measureID }) else { throw DemilgeError.notFound }
        var form = FormState.read(req, fields: ["status", "progress", "version"])
        let status = MeasureStatus(rawValue: form["status"])
        if status == nil { form.fail("status", req.t("validation.choose_from_list")) }
        let progress = form.integer("progress", in: 0...100)
        if progress == nil { form.fail("progress", req.t("validation.percent")) }
        if form.version != measure.version { form.failStale("status", req) }
        guard form.isValid, let status, let progress else {
            return try await CommissionController.render(req, commission, form: form, formName: "progress", status: form.status)
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
            return try await CommissionController.render(req, try await CommissionController.load(req), form: form, formName: "progress", status: .conflict)
        }
        req.flash("admin.saved")
        return req.redirect(to: .commissionPlan(commission.id))
    }
}
