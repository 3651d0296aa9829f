@testable import DemilgeApp
import DemilgeCore
import Fluent
import Foundation
import Testing
import Vapor

@Suite("Passwords: reset by e-mail, change by the owner")
struct PasswordTests {
    static let newPassword = "жаңы-сырсөз-2026"

    /// Asks for a reset link for `email` and returns the link from the delivered message.
    static func requestLink(_ app: Application, _ browser: Browser, email: String, folder: URL) async throws -> String {
        try await browser.get("/password/forgot")
        let asked = try await browser.post("/password/forgot", [("email", email)])
        #expect(asked.status == .ok)
        try await ResetRequests.send(app)
        #expect(try await Outbox.deliverDue(app) == 1)
        let message = try #require(try MailFolder.read(folder).last)
        #expect(message.headers["to"] == email)
        let line = try #require(message.body.split(whereSeparator: \.isNewline).first { $0.contains("/password/reset/") })
        return String(line.trimmingCharacters(in: .whitespaces))
    }

    @Test("the e-mailed link sets a new password once, signs out every other session, and is spent")
    func resetLinkWorksOnce() async throws {
        try await withDemilge { app in
            let folder = try MailFolder.attach(app)
            let elsewhere = try await Browser(app).signIn("resident.manas-ata@demilge.kg")
            #expect(try await elsewhere.get("/account").status == .ok)

            let browser = Browser(app)
            try await browser.get("/lang/ru?back=/")
            let link = try await Self.requestLink(app, browser, email: "resident.manas-ata@demilge.kg", folder: folder)
            #expect(link.hasPrefix(PublicURL.base(app) + "/password/reset/"))
            let delivered = try #require(try MailFolder.read(folder).last)
            #expect(delivered.headers["content-language"] == "ru" && MailFolder.subject(delivered) == "Демилге: восстановление пароля")
            let path = String(link.dropFirst(PublicURL.base(app).count))

            let sessions = try await SessionRecord.query(on: app.db).count()
            let opened = try await browser.get(path)
            #expect(opened.status == .seeOther && opened.location == "/password/reset", "the token leaves the address bar")
            #expect(try await SessionRecord.query(on: app.db).count() == sessions, "opening the link writes no session for a visitor")
            let carried = opened.headers[.setCookie].first { $0.hasPrefix(ResetToken.cookie + "=") } ?? ""
            #expect(carried.contains("Path=/password/reset") && carried.contains("HttpOnly"), "the token rides in a cookie only the reset form sees")
            let form = try await browser.get("/password/reset")
            #expect(form.status == .ok && !form.body.string.contains(path))
            #expect(form.headers.first(name: "Referrer-Policy") == "no-referrer" && form.headers.first(name: .cacheControl) == "no-store")
            let stored = try #require(try await OutboxMessage.query(on: app.db).first())
            #expect(!stored.body.contains(String(path.dropFirst("/password/reset/".count))), "a sent message keeps no link")
            let mismatch = try await browser.post("/password/reset", [("password", Self.newPassword), ("password_confirm", "другой-пароль")])
            #expect(mismatch.status == .unprocessableEntity && mismatch.body.string.contains("Пароли не совпадают."))
            #expect(!mismatch.body.string.contains(Self.newPassword), "a password is never echoed")
            let done = try await browser.post("/password/reset", [("password", Self.newPassword), ("password_confirm", Self.newPassword)])
            #expect(done.status == .seeOther && done.location == "/account")
            #expect(try await browser.get("/account").body.string.contains("Новый пароль сохранён."))

            #expect(try await elsewhere.get("/account").location == "/signin?back=/account", "the other session has ended")
            let again = Browser(app)
            try await again.get("/password/forgot")
            #expect(try await again.get(path).status == .gone, "a spent link opens no form")
            #expect(try await again.post("/password/reset", [("password", "третий-пароль-2026"), ("password_confirm", "третий-пароль-2026")]).status == .gone)
            let old = Browser(app)
            try await old.get("/signin")
            #expect(try await old.post("/signin", [("email", "resident.manas-ata@demilge.kg"), ("password", "demilge-demo")]).status == .unauthorized)
            try await Browser(app).signIn("resident.manas-ata@demilge.kg", password: Self.newPassword)

            let user = try #require(try await User.query(on: app.db).filter(\.$email == "resident.manas-ata@demilge.kg").first())
            let actions = try await AuditEntry.query(on: app.db).filter(\.$entityID == user.id!.uuidString.lowercased()).all().map(\.action)
            #expect(actions.contains("user.password_reset_requested") && actions.contains("user.password_reset"))
            let resets = try await PasswordReset.query(on: app.db).all()
            #expect(resets.count == 1 && resets[0].tokenHash != path.split(separator: "/").last.map(String.init), "only a hash of the token is kept")
        }
    }

    @Test("an expired link and a made-up one are refused with a clear message and change nothing")
    func expiredAndUnknownLinks() async throws {
        try await withDemilge { app in
            let user = try #require(try await User.query(on: app.db).filter(\.$email == "resident.manas-ata@demilge.kg").first())
            let token = ResetToken.make()
            try await PasswordReset(userID: try user.requireID(), tokenHash: ResetToken.hash(token), origin: .email,
                                    expires: Date().addingTimeInterval(-1)).create(on: app.db)
            let browser = Browser(app)
            try await browser.get("/password/forgot")  // a page with a form, for the token a forged post would carry
            for path in ["/password/reset/\(token)", "/password/reset/\(ResetToken.make())", "/password/reset/" + String(repeating: "x", count: 500)] {
                let page = try await browser.get(path)
                #expect(page.status == .gone)
                #expect(page.body.string.contains("Бул шилтеме иштебейт"))
                let posted = try await browser.post("/password/reset", [("password", Self.newPassword), ("password_confirm", Self.newPassword)])
                #expect(posted.status == .gone, "no link opened in this session")
            }
            let after = try #require(try await User.find(user.id, on: app.db))
            #expect(after.passwordHash == user.passwordHash && after.sessionsSinceMillis == nil)
        }
    }

    @Test("asking for an address without an account answers the same and sends nothing; asking too often is limited")
    func forgotTellsNothing() async throws {
        try await withDemilge { app in
            let folder = try MailFolder.attach(app)
            let browser = Browser(app)
            try await browser.get("/password/forgot")
            let unknown = try await browser.post("/password/forgot", [("email", "nobody@example.kg")])
            let known = try await browser.post("/password/forgot", [("email", "resident.manas-ata@demilge.kg")])
            #expect(unknown.status == .ok && known.status == .ok)
            #expect(unknown.body.string.contains("Бул почта менен аккаунт болсо, ага шилтеме жөнөтүлдү."))
            #expect(Self.withoutToken(unknown.body.string) == Self.withoutToken(known.body.string), "the same page either way")
            #expect(try await PasswordResetRequest.query(on: app.db).count() == 2, "both asks are recorded alike")
            #expect(try await ResetRequests.send(app) == 2)
            #expect(try await PasswordResetRequest.query(on: app.db).count() == 0)
            #expect(try await Outbox.deliverDue(app) == 1)
            #expect(try MailFolder.read(folder).map { $0.headers["to"] } == ["resident.manas-ata@demilge.kg"])

            for _ in 2...PasswordResetController.forgotLimitPerEmail { _ = try await browser.post("/password/forgot", [("email", "resident.manas-ata@demilge.kg")]) }
            let limited = try await browser.post("/password/forgot", [("email", "resident.manas-ata@demilge.kg")])
            #expect(limited.status == .tooManyRequests)
            try await ResetRequests.send(app)
            #expect(try await OutboxMessage.query(on: app.db).count() == PasswordResetController.forgotLimitPerEmail)
            let malformed = try await browser.post("/password/forgot", [("email", "not an address")])
            #expect(malformed.status == .unprocessableEntity && malformed.body.string.contains("value=\"not an address\""))
        }
    }

    static func withoutToken(_ html: String) -> String {
        html.replacingOccurrences(of: #"name="_csrf" value="[^"]*""#, with: "", options: .regularExpression)
    }

    @Test("the owner changes the password with the current one: this session stays, the others end, a notice is e-mailed")
    func changePassword() async throws {
        try await withDemilge { app in
            let folder = try MailFolder.attach(app)
            let other = try await Browser(app).signIn("resident.manas-ata@demilge.kg")
            let browser = try await Browser(app).signIn("resident.manas-ata@demilge.kg")
            try await browser.get("/account/password")
            let wrong = try await browser.post("/account/password", [("current", "not-my-password"), ("password", Self.newPassword),
                                                                     ("password_confirm", Self.newPassword)])
            #expect(wrong.status == .unprocessableEntity && wrong.body.string.contains("Азыркы сырсөз туура эмес."))
            let changed = try await browser.post("/account/password", [("current", "demilge-demo"), ("password", Self.newPassword),
                                                                       ("password_confirm", Self.newPassword)])
            #expect(changed.status == .seeOther && changed.location == "/account")
            #expect(try await browser.get("/account").status == .ok, "this session stays signed in")
            #expect(try await other.get("/account").location == "/signin?back=/account", "the other session has ended")
            #expect(try await Outbox.deliverDue(app) == 1)
            #expect(try MailFolder.read(folder).first.map(MailFolder.subject) == "Демилге: сырсөзүңүз өзгөртүлдү")
            try await Browser(app).signIn("resident.manas-ata@demilge.kg", password: Self.newPassword)
            #expect(try await Browser(app).get("/account/password").location?.hasPrefix("/signin") == true)
        }
    }
}
