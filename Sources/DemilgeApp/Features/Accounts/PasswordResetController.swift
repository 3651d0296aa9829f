import Crypto
import DemilgeCore
import Fluent
import SQLKit
import Vapor

/// A forgotten password: a one-time link sent by e-mail (`/password/forgot`), opened into the session and used once
/// to set a new password, which ends every other session of the account.
struct PasswordResetController: RouteCollection {
    static let linkLifetime: TimeInterval = 3600
    static let forgotLimitPerAddress = 10
    static let forgotLimitPerEmail = 3
    static let resetLimitPerAddress = 20

    func boot(routes: any RoutesBuilder) throws {
        routes.get("password", "forgot", use: forgotForm)
        routes.post("password", "forgot", use: forgot)
        routes.get("password", "reset", ":token", use: openLink)
        routes.get("password", "reset", use: resetForm)
        routes.post("password", "reset", use: reset)
    }

    struct FormContent: Encodable {
        let form: FormState
        var sent = false
    }

    // MARK: Forgotten password

    func forgotForm(req: Request) async throws -> Response {
        try await renderForgot(req, FormContent(form: FormState()))
    }

    private func renderForgot(_ req: Request, _ content: FormContent, status: HTTPResponseStatus = .ok) async throws -> Response {
        try await req.page("accounts/forgot", titleKey: "password.forgot.title", content, forms: true, status: status)
    }

    /// The same answer whether or not the address has an account, so the form tells nobody who is registered.
    func forgot(req: Request) async throws -> Response {
        var form = FormState.read(req, fields: ["email"])
        guard let email = EmailAddress.normalised(form["email"]) else {
            form.fail("email", req.t(form["email"].isEmpty ? "validation.required" : "validation.email"))
            return try await renderForgot(req, FormContent(form: form), status: .unprocessableEntity)
        }
        let address = req.clientAddress
        // Both counted, whichever refuses.
        let byAddress = try await req.allow("forgot:ip:\(address)", limit: Self.forgotLimitPerAddress, window: 3600)
        let byEmail = try await req.allow("forgot:email:\(email)", limit: Self.forgotLimitPerEmail, window: 3600)
        let allowed = byAddress && byEmail
        guard allowed else {
            form.fail("email", req.t("error.rate_limited"))
            return try await renderForgot(req, FormContent(form: form), status: .tooManyRequests)
        }
        // Only the request is written here, the same for every address: whether it has an account is decided by
        // the outbox worker (`ResetRequests.send`), so the answer's timing tells nothing either.
        let language = req.language
        try await req.write(counted: false) { db in try await PasswordResetRequest(email: email, language: language).create(on: db) }
        return try await renderForgot(req, FormContent(form: FormState(), sent: true))
    }

    // MARK: Reset with a token

    struct ResetContent: Encodable {
        let form: FormState
        let valid: Bool
    }

    /// The link from the e-mail: its token goes into the session and the browser on to `/password/reset`, so that
    /// the token leaves no trace in the address bar, the history or a `Referer`.
    func openLink(req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        guard try await ResetToken.usable(token, on: req.db) != nil else { return try await renderReset(req, valid: false) }
        return Self.private(ResetToken.carry(token, req.redirect(to: "/password/reset", redirectType: .normal), req))
    }

    func resetForm(req: Request) async throws -> Response {
        try await renderReset(req, valid: try await ResetToken.usable(Self.carriedToken(req), on: req.db) != nil)
    }

    private func renderReset(_ req: Request, form: FormState = FormState(), valid: Bool, status: HTTPResponseStatus? = nil) async throws -> Response {
        Self.private(try await req.page("accounts/reset", titleKey: "password.reset.title", ResetContent(form: form, valid: valid),
                                        forms: true, status: status ?? (valid ? .ok : .gone)))
    }

    static func carriedToken(_ req: Request) -> String { String((req.cookies[ResetToken.cookie]?.string ?? "").prefix(100)) }

    /// Kept from caches and never sent on as a `Referer`.
    static func `private`(_ response: Response) -> Response {
        response.headers.replaceOrAdd(name: "Referrer-Policy", value: "no-referrer")
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    struct Spent: Error {}

    func reset(req: Request) async throws -> Response {
        let address = req.clientAddress
        guard try await req.allow("reset:ip:\(address)", limit: Self.resetLimitPerAddress, window: 3600) else {
            var form = FormState()
            form.fail("password", req.t("error.rate_limited"))
            return try await renderReset(req, form: form, valid: true, status: .tooManyRequests)
        }
        let token = Self.carriedToken(req)
        // The token first: no password is hashed for a request that cannot use it.
        guard try await ResetToken.usable(token, on: req.db) != nil else { return try await renderReset(req, valid: false) }
        var form = FormState.read(req, fields: ["password", "password_confirm"], keepUntrimmed: ["password", "password_confirm"])
        AccountController.checkNewPassword(&form, req)
        guard form.isValid else {
            form.values = [:]
            return try await renderReset(req, form: form, valid: true, status: .unprocessableEntity)
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
                try await ResetToken.spendAll(of: reset.$user.id, on: db, now: now.millis)
                try await AuditLog.record(on: db, by: .user(reset.$user.id), action: "user.password_reset", entityType: "user",
                                          entityID: reset.$user.id.uuidString.lowercased(), after: ["origin": reset.origin])
                return user
            }
        } catch is Spent {
            return try await renderReset(req, valid: false)
        }
        try await req.signIn(user)
        req.flash("password.reset.done")
        return ResetToken.carry(nil, req.redirect(to: "/account", redirectType: .normal), req)
    }
}

/// A random token for a link (32 bytes, base64url) and the SHA-256 kept in its place.
enum ResetToken {
    /// The token on its way from the link (or code) to the form that uses it: a cookie only `/password/reset` sees,
    /// for the link's lifetime, so opening a link writes no session for a visitor.
    static let cookie = "demilge_reset"

    /// Sets (or, for nil, clears) the carried token on `response`.
    static func carry(_ token: String?, _ response: Response, _ req: Request) -> Response {
        let secure = PublicURL.securesCookies(req.application)
        response.cookies[cookie] = HTTPCookies.Value(string: token ?? "", expires: token == nil ? Date(timeIntervalSince1970: 0) : nil,
                                                     maxAge: token == nil ? 0 : Int(PasswordResetController.linkLifetime),
                                                     path: "/password/reset", isSecure: secure, isHTTPOnly: true, sameSite: .lax)
        return response
    }

    static func make() -> String { [UInt8].random(count: 32).base64URLEncodedString() }

    static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).hexString
    }

    static func spendAll(of userID: UUID, on db: any Database, now: Int64) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.update(PasswordReset.schema).set("used_millis", to: now)
            .where("user_id", .equal, userID).where("used_millis", .is, SQLLiteral.null).run()
    }

    /// The reset a token opens, if it is neither spent nor expired.
    static func usable(_ token: String, on db: any Database, now: Date = Date()) async throws -> PasswordReset? {
        guard token.count <= 100 else { return nil }
        return try await PasswordReset.query(on: db).filter(\.$tokenHash == hash(token)).filter(\.$usedMillis == nil)
            .filter(\.$expiresMillis > now.millis).first()
    }
}
