import DemilgeCore
import Fluent
import Vapor

/// A way back in for someone without e-mail: an administrator issues a one-time code (shown once, 24 hours, only its
/// hash kept) and hands it over in person; the person types it at `/password/code` and sets a new password through
/// the same form as a reset link, which ends every other session of the account.
struct ResetCodeController: RouteCollection {
    static let lifetime: TimeInterval = 24 * 3600
    static let alphabet = Array("ABCDEFGHJKMNPQRSTUVWXYZ23456789")

    func boot(routes: any RoutesBuilder) throws {
        routes.post("admin", "users", ":id", "reset-code", use: issue)
        routes.get("password", "code", use: form)
        routes.post("password", "code", use: use)
    }

    /// Twelve characters in three groups (about 59 bits), none that read alike (0/O, 1/I/L).
    static func make() -> String {
        grouped((0..<12).map { _ in alphabet[Int.random(in: 0..<alphabet.count)] })
    }

    /// What a person typed, as the code was issued: upper case, dashes and spaces dropped then put back.
    static func normalised(_ text: String) -> String {
        let kept = text.uppercased().filter { $0 != "-" && $0 != " " }
        guard kept.count == 12 else { return String(kept.prefix(100)) }
        return grouped(Array(kept))
    }

    /// Twelve characters as `XXXX-XXXX-XXXX`.
    private static func grouped(_ characters: [Character]) -> String {
        stride(from: 0, to: 12, by: 4).map { String(characters[$0..<$0 + 4]) }.joined(separator: "-")
    }

    struct Issued: Encodable {
        let id: String, name: String, email: String, code: String, hours: Int
    }

    func issue(req: Request) async throws -> Response {
        try req.authorize(.manageUsers)
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)), let user = try await User.find(id, on: req.db) else { throw DemilgeError.notFound }
        let code = Self.make()
        try await req.write { db in
            try await PasswordReset(userID: id, tokenHash: ResetToken.hash(code), origin: .administrator,
                                    expires: Date().addingTimeInterval(Self.lifetime)).create(on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "user.reset_code_issued", entityType: "user", entityID: id.uuidString.lowercased())
        }
        return PasswordResetController.private(try await req.page("admin/reset-code", titleKey: "reset_code.title", Issued(
            id: id.uuidString.lowercased(), name: user.displayName, email: user.email, code: code, hours: Int(Self.lifetime / 3600)), forms: true))
    }

    struct FormContent: Encodable { let form: FormState }

    func form(req: Request) async throws -> Response {
        try await req.page("accounts/code", titleKey: "reset_code.enter_title", FormContent(form: FormState()), forms: true)
    }

    func use(req: Request) async throws -> Response {
        var form = FormState()
        guard try await req.allow("reset:ip:\(req.clientAddress)", limit: PasswordResetController.resetLimitPerAddress, window: 3600) else {
            form.fail("code", req.t("error.rate_limited"), .rateLimited)
            return try await req.page("accounts/code", titleKey: "reset_code.enter_title", FormContent(form: form), forms: true, status: form.status)
        }
        let code = Self.normalised(req.formFields["code"] ?? "")
        guard let reset = try await ResetToken.usable(code, on: req.db), reset.origin == PasswordReset.Origin.administrator.rawValue else {
            form.fail("code", req.t("reset_code.invalid"))
            return try await req.page("accounts/code", titleKey: "reset_code.enter_title", FormContent(form: form), forms: true, status: form.status)
        }
        return PasswordResetController.private(ResetToken.carry(code, req.redirect(to: "/password/reset", redirectType: .normal), req))
    }
}
