import DemilgeCore
import Fluent
import Vapor

struct AccountController: RouteCollection {
    static let signInLimitPerAddress = 20
    static let signInWindow: TimeInterval = 15 * 60

    func boot(routes: any RoutesBuilder) throws {
        routes.get("register", use: registerForm)
        routes.post("register", use: register)
        routes.get("signin", use: signInForm)
        routes.post("signin", use: signIn)
        routes.post("signout", use: signOut)
        routes.get("account", use: account)
    }

    struct RegisterContent: Encodable {
        let form: FormState
        let places: [PlaceGroup]
    }

    func registerForm(req: Request) async throws -> Response {
        try await req.page("accounts/register", titleKey: "register.title",
                           RegisterContent(form: FormState(), places: try await PlaceGroup.choices(req, selected: "")), forms: true)
    }

    func register(req: Request) async throws -> Response {
        var form = FormState.read(req, fields: ["name", "email", "password", "password_confirm", "territory"],
                                  keepUntrimmed: ["password", "password_confirm"])
        form.requireText("name", length: 2...100, req)
        let email = EmailAddress.normalised(form["email"])
        if form["email"].isEmpty { form.fail("email", req.t("validation.required")) }
        else if email == nil { form.fail("email", req.t("validation.email")) }
        Self.checkNewPassword(&form, req)
        var territory: Territory? = nil
        if !form["territory"].isEmpty {
            territory = try await Territory.query(on: req.db).filter(\.$code == form["territory"]).first()
            if territory == nil { form.fail("territory", req.t("validation.choose_from_list")) }
        }
        if let email, try await User.query(on: req.db).filter(\.$email == email).first() != nil {
            form.fail("email", req.t("register.email_taken"))
        }
        let address = req.clientAddress
        if form.isValid, try await !req.allow("register:\(address)", limit: 20, window: 3600) {
            form.fail("email", req.t("error.rate_limited"))
        }
        guard form.isValid, let email else {
            form.values["password"] = nil
            form.values["password_confirm"] = nil
            return try await req.page("accounts/register", titleKey: "register.title",
                                      RegisterContent(form: form, places: try await PlaceGroup.choices(req, selected: form["territory"])), forms: true, status: .unprocessableEntity)
        }
        let hash = try await req.password.async.hash(form["password"]).get()
        let user = User(email: email, displayName: form["name"], passwordHash: hash)
        let territoryID = territory?.id
        let language = req.language, app = req.application
        user.language = language
        try await req.write { db in
            try await user.create(on: db)
            try await EmailConfirmationController.send(to: user, language: language, on: db, app: app)
            let id = try user.requireID()
            try await AuditLog.record(on: db, by: .user(id), action: "user.register", entityType: "user",
                                      entityID: id.uuidString.lowercased(), after: user.snapshot)
            if let territoryID {
                let assignment = RoleAssignment(userID: id, grant: RoleGrant(.resident, .territory(territoryID)))
                try await assignment.create(on: db)
                try await AuditLog.record(on: db, by: .user(id), action: "role.grant", entityType: "user",
                                          entityID: id.uuidString.lowercased(), after: assignment.snapshot)
            }
        }
        try await req.signIn(user)
        req.flash("register.welcome")
        return req.redirect(to: "/account", redirectType: .normal)
    }

    static func checkNewPassword(_ form: inout FormState, _ req: Request) {
        let password = form["password"]
        if password.isEmpty { form.fail("password", req.t("validation.required")) }
        else if password.count < 10 { form.fail("password", req.t("validation.password_short")) }
        else if password.utf8.count > 72 { form.fail("password", req.t("validation.password_long")) }
        if password != form["password_confirm"] { form.fail("password_confirm", req.t("validation.password_mismatch")) }
    }

    struct SignInContent: Encodable {
        let form: FormState
        let back: String
    }

    func signInForm(req: Request) async throws -> Response {
        if req.currentUser != nil { return req.redirect(to: "/account") }
        return try await req.page("accounts/signin", titleKey: "signin.title",
                                  SignInContent(form: FormState(), back: SafeRedirect.path(req.query["back"])), forms: true)
    }

    /// The address's hold is checked before any password; a known and an unknown address cost the same password
    /// check (an unknown one is checked against a hash of nothing) and get the same answers, so neither the reply nor
    /// its timing says who has an account.
    func signIn(req: Request) async throws -> Response {
        var form = FormState.read(req, fields: ["email", "password", "back"], keepUntrimmed: ["password"])
        let back = SafeRedirect.path(form["back"].isEmpty ? nil : form["back"])
        let email = String((EmailAddress.normalised(form["email"]) ?? form["email"].lowercased()).prefix(320))
        let allowed = try await req.allow("signin:ip:\(req.clientAddress)", limit: Self.signInLimitPerAddress, window: Self.signInWindow)
        func refuse(_ key: String, _ status: HTTPResponseStatus) async throws -> Response {
            form.fail("email", req.t(key))
            form.values["password"] = nil
            return try await req.page("accounts/signin", titleKey: "signin.title", SignInContent(form: form, back: back), forms: true, status: status)
        }
        guard allowed, try await SignInThrottle.heldUntil(email, on: req.db) == nil else { return try await refuse("error.rate_limited", .tooManyRequests) }
        let user = try await User.query(on: req.db).filter(\.$email == email).first()
        let decoy = try await req.application.decoyPasswordHash(req)
        let verified = try await req.password.async.verify(form["password"], created: user?.passwordHash ?? decoy).get()
        let matches = verified && user != nil
        if let user, matches {
            guard !user.disabled else { return try await refuse("signin.disabled", .unauthorized) }
            try await req.write(counted: false) { db in try await SignInThrottle.succeeded(email, on: db) }
            try await req.signIn(user)
            return req.redirect(to: back, redirectType: .normal)
        }
        let held = try await req.write(counted: false) { db in try await SignInThrottle.failed(email, on: db) }
        return try await refuse(held == nil ? "signin.wrong" : "error.rate_limited", held == nil ? .unauthorized : .tooManyRequests)
    }

    func signOut(req: Request) async throws -> Response {
        req.signOut()
        return req.redirect(to: "/", redirectType: .normal)
    }

    struct AccountContent: Encodable {
        let name: String
        let email: String
        let confirmed: Bool
        let roles: [RoleLine]
    }

    func account(req: Request) async throws -> Response {
        guard let user = req.currentUser else { return req.redirect(to: "/signin?back=/account") }
        return try await req.page("accounts/account", titleKey: "account.title", AccountContent(
            name: user.displayName, email: user.email, confirmed: user.emailConfirmedMillis != nil, roles: try await RoleLine.lines(user.roles, req)))
    }
}
