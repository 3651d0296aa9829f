import DemilgeCore
import Fluent
import SQLKit
import Vapor

/// A password changed by its owner, with the current one: every other session of the account ends, and a notice is
/// e-mailed.
struct PasswordController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("account", "password", use: changeForm)
        routes.post("account", "password", use: change)
    }

    struct FormContent: Encodable {
        let form: FormState
    }

    // MARK: Change by the owner

    func changeForm(req: Request) async throws -> Response {
        _ = try req.requireUser()
        return try await req.page("accounts/password", titleKey: "password.change.title", FormContent(form: FormState()), forms: true)
    }

    func change(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let userID = try user.requireID()
        var form = FormState.read(req, fields: ["current", "password", "password_confirm"], keepUntrimmed: ["current", "password", "password_confirm"])
        AccountController.checkNewPassword(&form, req)
        let allowed = try await req.allow("password:user:\(userID)", limit: SignInThrottle.freeFailures, window: AccountController.signInWindow)
        if !allowed {
            form.fail("current", req.t("error.rate_limited"))
        } else if try await !req.password.async.verify(form["current"], created: user.passwordHash).get() {
            form.fail("current", req.t("password.change.wrong_current"))
        }
        guard form.isValid else {
            form.values = [:]
            return try await req.page("accounts/password", titleKey: "password.change.title", FormContent(form: form), forms: true,
                                      status: allowed ? .unprocessableEntity : .tooManyRequests)
        }
        let hash = try await req.password.async.hash(form["password"]).get()
        let language = req.language
        let app = req.application
        let verifiedHash = user.passwordHash
        let epoch = try await req.write(counted: false) { db -> Int64 in
            // The password checked above must still be the account's: a reset committed meanwhile wins.
            guard let stored = try await User.find(userID, on: db), stored.passwordHash == verifiedHash, !stored.disabled else {
                throw DemilgeError.signInRequired
            }
            let now = Date().millis
            stored.passwordHash = hash
            stored.sessionsSinceMillis = now
            try await stored.save(on: db)
            try await ResetToken.spendAll(of: userID, on: db, now: now)
            try await Outbox.enqueue("mail.password_changed", to: stored.email, language: language,
                                     arguments: ["name": stored.displayName, "link": PublicURL.base(app) + "/password/forgot"], on: db, app: app)
            try await AuditLog.record(on: db, by: .user(userID), action: "user.password_change", entityType: "user",
                                      entityID: userID.uuidString.lowercased())
            return now
        }
        user.passwordHash = hash
        user.sessionsSinceMillis = epoch
        // A new session for this browser; every other one has ended.
        try await req.signIn(user)
        req.flash("password.change.done")
        return req.redirect(to: "/account", redirectType: .normal)
    }
}
