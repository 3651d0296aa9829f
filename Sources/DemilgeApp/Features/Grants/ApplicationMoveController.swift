import DemilgeCore
import Fluent
import Vapor

/// An application's moves through its lifecycle (submit, check, review, award, close…), each by the role the
/// transition table names, with a reason where it asks for one.
struct ApplicationMoveController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.post("applications", ":id", "status", use: move)
    }

    func move(req: Request) async throws -> Response {
        guard req.actor.isSignedIn else { throw DemilgeError.signInRequired }
        let application = try await GrantDisplay.loadApplication(req)
        let viewer = try await GrantViewer.load(req, call: application.call)
        var form = FormState.read(req, fields: ["to", "reason", "version"])
        guard let to = GrantStatus(rawValue: form["to"]) else { throw DemilgeError.notFound }
        let steps = GrantLifecycle.steps(from: application.status)
        guard let step = steps.first(where: { $0.to == to }) else {
            form.fail("to", req.t("grants.move_not_allowed"))
            return try await GrantApplicationController.render(req, application, form: form, formName: "move", status: .conflict)
        }
        // Awards and contracts have their own forms, which check the money.
        guard ![.approved, .contracted].contains(to) || application.status == .reserve else {
            form.fail("to", req.t("grants.move_not_allowed"))
            return try await GrantApplicationController.render(req, application, form: form, formName: "move", status: .conflict)
        }
        guard let party = viewer.parties(for: application).first(where: { step.by.contains($0) }) else { throw DemilgeError.forbidden }
        if step.needsReason && form["reason"].isEmpty { form.fail("reason", req.t("grants.reason_required")) }
        form.optionalText("reason", max: 2000, req)
        if to == .completed, try await GrantReport.query(on: req.db).filter(\.$application.$id == (try application.requireID())).first() == nil {
            form.fail("to", req.t("grants.report_first"))
        }
        guard form.isValid else { return try await GrantApplicationController.render(req, application, form: form, formName: "move", status: .unprocessableEntity) }
        let expected = form.version ?? -1
        let reason = form["reason"]
        let requested = application.requestedTyiyn
        let moved: Bool
        do {
            moved = try await req.write(version: application.version, expected: expected) { db -> Bool in
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
            return try await GrantApplicationController.render(req, try await GrantDisplay.loadApplication(req), form: form, formName: "move", status: .conflict)
        }
        guard moved else {
            form.failStale("to", req)
            return try await GrantApplicationController.render(req, application, form: form, formName: "move", status: .conflict)
        }
        req.flash("admin.saved")
        return req.redirect(to: .application(application.id))
    }
}
