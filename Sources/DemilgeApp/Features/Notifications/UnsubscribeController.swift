import DemilgeCore
import Fluent
import Vapor

/// The link at the foot of every notification e-mail: no sign-in, signed for one person and one kind (or every
/// kind, from a digest). Opening it shows a button, so a scanner fetching links changes nothing; a mail client's
/// one-click POST (RFC 8058) and the button both stop that e-mail. The signature is the authority: the route takes
/// no CSRF token (`CSRF.exemptPrefixes`).
struct UnsubscribeController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("unsubscribe", ":token", use: page)
        routes.post("unsubscribe", ":token", use: unsubscribe)
    }

    struct Content: Encodable {
        let token: String
        let kind: String
        let done: Bool
    }

    private func read(_ req: Request) async throws -> (UnsubscribeToken, String) {
        let text = req.parameters.get("token") ?? ""
        let key = try await ServerKeys.key("unsubscribe", app: req.application, on: req.db)
        guard let token = UnsubscribeToken.read(text, key: key) else { throw DemilgeError.notFound }
        return (token, text)
    }

    private func kindLabel(_ token: UnsubscribeToken, _ req: Request) -> String {
        token.kind.map { req.t($0.catalogKey) } ?? req.t("notify.all_kinds")
    }

    func page(req: Request) async throws -> Response {
        let (token, text) = try await read(req)
        let response = try await req.page("notifications/unsubscribe", titleKey: "notify.unsubscribe",
                                          Content(token: text, kind: kindLabel(token, req), done: false), forms: true)
        response.headers.replaceOrAdd(name: "Referrer-Policy", value: "no-referrer")
        return response
    }

    func unsubscribe(req: Request) async throws -> Response {
        let (token, text) = try await read(req)
        guard try await User.find(token.user, on: req.db) != nil else { throw DemilgeError.notFound }
        let kinds = token.kind.map { [$0] } ?? NotificationKind.allCases
        try await req.write { db in
            try await NotificationSetting.query(on: db).filter(\.$user.$id == token.user).filter(\.$kind ~~ kinds).delete()
            for kind in kinds { try await NotificationSetting(userID: token.user, kind: kind, delivery: .none).create(on: db) }
            try await NotificationPreferences.rescheduleWaiting(token.user, on: db)
            try await AuditLog.record(on: db, by: .user(token.user), action: "user.unsubscribe", entityType: "user",
                                      entityID: token.user.uuidString.lowercased(), after: ["kinds": kinds.map(\.rawValue).joined(separator: ",")])
        }
        return try await req.page("notifications/unsubscribe", titleKey: "notify.unsubscribe",
                                  Content(token: text, kind: kindLabel(token, req), done: true))
    }
}
