import DemilgeCore
import Fluent
import Vapor

/// Confirming an account's e-mail address: a one-time link sent at registration (and again on request). Opening it
/// shows one button, so a mail scanner that fetches links confirms nothing; pressing it confirms the address the
/// link was sent to. Until then the account's ballots are stored but not counted, and its applications not taken.
struct EmailConfirmationController: RouteCollection {
    static let linkLifetime: TimeInterval = 48 * 3600
    static let resendLimit = 3

    func boot(routes: any RoutesBuilder) throws {
        routes.get("account", "confirm", ":token", use: page)
        routes.post("account", "confirm", use: confirm)
        routes.post("account", "confirm", "resend", use: resend)
    }

    struct Content: Encodable {
        let token: String
        let failed: Bool
    }

    func page(req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        let response = try await req.page("accounts/confirm", titleKey: "confirm.title", Content(token: token, failed: false), forms: true)
        response.headers.replaceOrAdd(name: "Referrer-Policy", value: "no-referrer")
        return response
    }

    func confirm(req: Request) async throws -> Response {
        let token = req.formFields["token"] ?? ""
        let now = Date().millis
        let hash = ResetToken.hash(String(token.prefix(100)))
        guard let link = try await EmailConfirmation.query(on: req.db).filter(\.$tokenHash == hash).with(\.$user).first(),
              link.expiresMillis > now, link.user.email == link.email else {
            return try await req.page("accounts/confirm", titleKey: "confirm.title", Content(token: "", failed: true), forms: true, status: .gone)
        }
        let userID = link.$user.id
        try await req.write { db in
            try await User.query(on: db).filter(\.$id == userID).set(\.$emailConfirmedMillis, to: now).update()
            try await EmailConfirmation.query(on: db).filter(\.$user.$id == userID).delete()
            try await AuditLog.record(on: db, by: .user(userID), action: "user.confirm_email", entityType: "user", entityID: userID.uuidString.lowercased())
        }
        req.flash("confirm.done")
        return req.redirect(to: req.currentUser == nil ? "/signin" : "/account", redirectType: .normal)
    }

    func resend(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let userID = try user.requireID()
        if user.emailConfirmedMillis == nil {
            if try await req.allow("confirm:user:\(userID)", limit: Self.resendLimit, window: 3600) {
                let app = req.application, language = req.language
                try await req.write(counted: false) { db in try await Self.send(to: user, language: language, on: db, app: app) }
                req.flash("confirm.sent")
            } else {
                req.flash("error.rate_limited")
            }
        }
        return req.redirect(to: "/account", redirectType: .normal)
    }

    /// Queues a confirmation link for the user's address, in the caller's transaction.
    static func send(to user: User, language: Language, on db: any Database, app: Application) async throws {
        let token = ResetToken.make()
        let userID = try user.requireID()
        try await EmailConfirmation(userID: userID, tokenHash: ResetToken.hash(token), email: user.email,
                                    expires: Date().addingTimeInterval(linkLifetime)).create(on: db)
        try await Outbox.enqueue("mail.confirm", to: user.email, language: language,
                                 arguments: ["name": user.displayName, "link": PublicURL.base(app) + "/account/confirm/" + token,
                                             "hours": String(Int(linkLifetime / 3600))], on: db, app: app)
    }
}
