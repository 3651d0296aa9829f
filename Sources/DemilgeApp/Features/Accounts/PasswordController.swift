import Crypto
import DemilgeCore
import Fluent
import SQLKit
import Vapor

/// A forgotten password reset through a one-time link sent by e-mail, and a password changed by its owner. Either
/// ends every other session of the account (`users.sessions_since_millis`).
struct PasswordController: RouteCollection {
    static let linkLifetime: TimeInterval = 3600
    static let forgotLimitPerAddress = 10
    static let forgotLimitPerEmail = 3

    func boot(routes: any RoutesBuilder) throws {
        routes.get("password", "forgot", use: forgotForm)
        routes.post("password", "forgot", use: forgot)
        routes.get("password", "reset", ":token", use: resetForm)
        routes.post("password", "reset", ":token", use: reset)
        routes.get("account", "password", use: changeForm)
        routes.post("account", "password", use: change)
    }

    struct FormContent: Encodable {
        let form: FormState
        var sent = false
    }

    // MARK: Forgotten password

    func forgotForm(req: Request) async throws -> Response {
        try await req.page("accounts/forgot", titleKey: "password.forgot.title", FormContent(form: FormState()), forms: true)
    }

    /// The same answer whether or not the address has an account, so the form tells nobody who is registered.
    func forgot(req: Request) async throws -> Response {
        var form = FormState.read(req, fields: ["email"])
        guard let email = EmailAddress.normalised(form["email"]) else {
            form.fail("email", req.t(form["email"].isEmpty ? "validation.required" : "validation.email"))
            return try await req.page("accounts/forgot", titleKey: "password.forgot.title", FormContent(form: form), forms: true,
                                      status: .unprocessableEntity)
        }
        let address = req.clientAddress
        let allowed = try await req.write(counted: false) { db in
            let byAddress = try await RateLimiter.allow("forgot:ip:\(address)", limit: Self.forgotLimitPerAddress, window: 3600, on: db)
            let byEmail = try await RateLimiter.allow("forgot:email:\(email)", limit: Self.forgotLimitPerEmail, window: 3600, on: db)
            return byAddress && byEmail
        }
        guard allowed else {
            form.fail("email", req.t("error.rate_limited"))
            return try await req.page("accounts/forgot", titleKey: "password.forgot.title", FormContent(form: form), forms: true,
                                      status: .tooManyRequests)
        }
        if let user = try await User.query(on: req.db).filter(\.$email == email).first(), !user.disabled, let userID = user.id {
            let token = ResetToken.make()
            let link = PublicURL.base(req.application) + "/password/reset/" + token
            let language = req.language
            let app = req.application
            let name = user.displayName
            try await req.write(counted: false) { db in
                try await PasswordReset(userID: userID, tokenHash: ResetToken.hash(token), origin: .email,
                                        expires: Date().addingTimeInterval(Self.linkLifetime)).create(on: db)
                try await Outbox.enqueue("mail.password_reset", to: email, language: language,
                                         arguments: ["name": name, "link": link, "minutes": String(Int(Self.linkLifetime / 60))], on: db, app: app)
                try await AuditLog.record(on: db, by: .system("password-reset"), action: "user.password_reset_requested",
                                          entityType: "user", entityID: userID.uuidString.lowercased())
            }
        }
        return try await req.page("accounts/forgot", titleKey: "password.forgot.title", FormContent(form: FormState(), sent: true), forms: true)
    }

    // MARK: Reset with a token

    struct ResetContent: Encodable {
        let form: FormState
        let token: String
        let valid: Bool
    }

    func resetForm(req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        let valid = try await ResetToken.usable(token, on: req.db) != nil
        return try await req.page("accounts/reset", titleKey: "password.reset.title", ResetContent(form: FormState(), token: token, valid: valid),
                                  forms: true, status: valid ? .ok : .gone)
    }

    struct Spent: Error {}

    func reset(req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        var form = FormState.read(req, fields: ["password", "password_confirm"], keepUntrimmed: ["password", "password_confirm"])
        AccountController.checkNewPassword(&form, req)
        guard form.isValid else {
            form.values = [:]
            let valid = try await ResetToken.usable(token, on: req.db) != nil
            return try await req.page("accounts/reset", titleKey: "password.reset.title", ResetContent(form: form, token: token, valid: valid),
                                      forms: true, status: valid ? .unprocessableEntity : .gone)
        }
        let hash = try await req.password.async.hash(form["password"]).get()
        let tokenHash = ResetToken.hash(token)
        let user: User
        do {
            user = try await req.write(counted: false) { db in
                let now = Date()
                // Spending the token is one conditional update: of two uses at once, one finds it spent.
                guard let sql = db as? any SQLDatabase,
                      let reset = try await sql.update(PasswordReset.schema).set("used_millis", to: now.millis)
                        .where("token_hash", .equal, tokenHash).where("used_millis", .is, SQLLiteral.null)
                        .where("expires_millis", .greaterThan, now.millis)
                        .returning(SQLLiteral.all).first(decodingFluent: PasswordReset.self),
                      let user = try await User.find(reset.$user.id, on: db), !user.disabled else { throw Spent() }
                user.passwordHash = hash
                user.sessionsSinceMillis = now.millis
                try await user.save(on: db)
                // Other links of the account die with this one.
                try await sql.update(PasswordReset.schema).set("used_millis", to: now.millis)
                    .where("user_id", .equal, reset.$user.id).where("used_millis", .is, SQLLiteral.null).run()
                try await AuditLog.record(on: db, by: .user(reset.$user.id), action: "user.password_reset", entityType: "user",
                                          entityID: reset.$user.id.uuidString.lowercased(), after: ["origin": reset.origin])
                return user
            }
        } catch is Spent {
            return try await req.page("accounts/reset", titleKey: "password.reset.title",
                                      ResetContent(form: FormState(), token: token, valid: false), forms: true, status: .gone)
        }
        try await req.signIn(user)
        req.flash("password.reset.done")
        return req.redirect(to: "/account", redirectType: .normal)
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
        let allowed = try await req.write(counted: false) { db in
            try await RateLimiter.allow("password:user:\(userID)", limit: AccountController.signInLimitPerEmail,
                                        window: AccountController.signInWindow, on: db)
        }
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
        try await req.write(counted: false) { db in
            guard let stored = try await User.find(userID, on: db) else { throw DemilgeError.notFound }
            stored.passwordHash = hash
            stored.sessionsSinceMillis = Date().millis
            try await stored.save(on: db)
            try await Outbox.enqueue("mail.password_changed", to: stored.email, language: language,
                                     arguments: ["name": stored.displayName, "link": PublicURL.base(app) + "/password/forgot"], on: db, app: app)
            try await AuditLog.record(on: db, by: .user(userID), action: "user.password_change", entityType: "user",
                                      entityID: userID.uuidString.lowercased())
        }
        user.passwordHash = hash
        // A new session for this browser; every other one has ended.
        try await req.signIn(user)
        req.flash("password.change.done")
        return req.redirect(to: "/account", redirectType: .normal)
    }
}

/// A random token for a link (32 bytes, base64url) and the SHA-256 kept in its place.
enum ResetToken {
    static func make() -> String {
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// The reset a token opens, if it is neither spent nor expired.
    static func usable(_ token: String, on db: any Database, now: Date = Date()) async throws -> PasswordReset? {
        guard token.count <= 100 else { return nil }
        return try await PasswordReset.query(on: db).filter(\.$tokenHash == hash(token)).filter(\.$usedMillis == nil)
            .filter(\.$expiresMillis > now.millis).first()
    }
}
