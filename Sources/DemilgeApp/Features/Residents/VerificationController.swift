import DemilgeCore
import Fluent
import Vapor

/// `/account/verify`: a resident proves they are on their municipality's roll with ПИН and birth date. The ПИН is
/// never shown back, kept in a form, or logged; only its keyed hash is compared.
struct VerificationController: RouteCollection {
    static let attemptsPerAccount = 5
    static let attemptsPerAddress = 20
    static let window: TimeInterval = 3600

    func boot(routes: any RoutesBuilder) throws {
        routes.get("account", "verify", use: form)
        routes.post("account", "verify", use: verify)
    }

    struct Content: Encodable {
        let form: FormState
        /// How the account is verified now, as a sentence; empty when it is not.
        let current: String
    }

    func form(req: Request) async throws -> Response {
        let user = try req.requireUser()
        return try await render(req, user, form: FormState())
    }

    private func render(_ req: Request, _ user: User, form: FormState, status: HTTPResponseStatus = .ok) async throws -> Response {
        let current = try await VerifiedResident.of(try user.requireID(), on: req.db)
        let settlement = try await current.asyncMap { try await Territory.find($0.entry.$settlement.id, on: req.db) } ?? nil
        let sentence = current.map { req.t("verify.current", ["settlement": settlement?.name.display(req.language).text ?? "",
                                                              "method": req.t("verify.method.\($0.verification.method)")]) }
        return try await req.page("accounts/verify", titleKey: "verify.title", Content(form: form, current: sentence ?? ""),
                                  forms: true, status: status)
    }

    func verify(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let userID = try user.requireID()
        var form = FormState.read(req, fields: ["pin", "birth_date"])
        let today = Day.today()
        let number = form.personalNumber("pin", req, today: today)
        let birth = BirthDate(form["birth_date"], today: today)
        if birth == nil { form.fail("birth_date", req.t(form["birth_date"].isEmpty ? "validation.required" : "verify.birth_date_invalid")) }
        if form.isValid {
            let byAccount = try await req.allow("verify:user:\(userID)", limit: Self.attemptsPerAccount, window: Self.window)
            let byAddress = try await req.allow("verify:ip:\(req.clientAddress)", limit: Self.attemptsPerAddress, window: Self.window)
            if !byAccount || !byAddress { form.fail("pin", req.t("error.rate_limited"), .rateLimited) }
        }
        var match: ResidentEntry?
        if form.isValid, let number, let birth {
            let hash = try await PersonalNumberHasher.hash(number, req)
            let entries = try await ResidentEntry.query(on: req.db).filter(\.$pinHash == hash).all()
            match = entries.first { $0.birth(today: today) == birth }
            if match == nil { form.fail("pin", req.t("verify.no_match")) }
        }
        guard form.isValid, let match else {
            form.values["pin"] = nil
            return try await render(req, user, form: form, status: form.status)
        }
        do {
            try await req.write { db in
                try await VerifiedResident.verify(userID, as: match, method: .online, by: req.auditActor, verifiedBy: nil, on: db)
            }
        } catch is VerifiedResident.TakenByAnother {
            form.values["pin"] = nil
            form.fail("pin", req.t("verify.taken"), .conflict)
            return try await render(req, user, form: form, status: form.status)
        }
        req.flash("verify.done")
        return req.redirect(to: "/account", redirectType: .normal)
    }
}
