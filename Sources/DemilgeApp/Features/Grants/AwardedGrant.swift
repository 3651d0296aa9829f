import DemilgeCore
import Fluent
import Vapor

/// What the contract, payment, milestone, visit and report forms of an awarded grant share: who manages it, the
/// grant page shown again with the form as typed, and the way back to it once a form is taken.
enum AwardedGrant {
    static func rerender(_ req: Request, _ application: GrantApplication, _ form: FormState, _ name: String,
                         status: HTTPResponseStatus = .unprocessableEntity) async throws -> Response {
        try await GrantApplicationController.render(req, application, form: form, formName: name, status: status)
    }

    static func done(_ req: Request, _ application: GrantApplication) -> Response {
        req.flash("admin.saved")
        return req.redirect(to: .application(application.id))
    }

    static func manager(_ req: Request, _ application: GrantApplication) throws {
        try req.authorize(.manageGrants, on: Target(programmeID: application.call.$programme.id))
    }
}
