@testable import DemilgeApp
import DemilgeCore
import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Testing
import Vapor
import VaporTesting

/// bcrypt that counts how many passwords it checked.
final class CountingHasher: PasswordHasher, Sendable {
    let verified = NIOLockedValueBox(0)

    func hash<Password: DataProtocol>(_ password: Password) throws -> [UInt8] {
        try Bcrypt.hash(String(decoding: Array(password), as: UTF8.self), cost: 4).utf8.map { $0 }
    }

    func verify<Password: DataProtocol, Digest: DataProtocol>(_ password: Password, created digest: Digest) throws -> Bool {
        verified.withLockedValue { $0 += 1 }
        return try Bcrypt.verify(String(decoding: Array(password), as: UTF8.self), created: String(decoding: Array(digest), as: UTF8.self))
    }
}

@Suite("Accounts safe to run: sign-in holds, sessions that end, confirmed addresses, secure cookies")
struct AccountSafetyTests {
    static func sessionRows(_ app: Application) async throws -> Int { try await SessionRecord.query(on: app.db).count() }

    @Test("the hold is checked before the password: after five failures even the right password is refused")
    func holdBeforePassword() async throws {
        try await withDemilge { app in
            let browser = Browser(app)
            try await browser.get("/signin")
            var statuses: [HTTPStatus] = []
            for _ in 1...SignInThrottle.freeFailures {
                statuses.append(try await browser.post("/signin", [("email", "admin@demilge.kg"), ("password", "wrong-password")]).status)
            }
            #expect(statuses.dropLast().allSatisfy { $0 == .unauthorized } && statuses.last == .tooManyRequests)
            let right = try await browser.post("/signin", [("email", "Admin@Demilge.kg"), ("password", "demilge-demo")])
            #expect(right.status == .tooManyRequests, "held: the right password does not open the account either")
            #expect(try await browser.get("/account").status == .seeOther, "not signed in")
            #expect(SignInThrottle.hold(after: 5) == 60_000 && SignInThrottle.hold(after: 7) == 240_000 && SignInThrottle.hold(after: 40) == 3_600_000)
            #expect(SignInThrottle.hold(after: 4) == nil)
            // Once the hold has passed, the right password opens it and clears the count.
            let sql = try #require(app.db as? any SQLDatabase)
            try await sql.update(SignInThrottle.table).set("held_until_millis", to: 0).run()
            #expect(try await browser.post("/signin", [("email", "admin@demilge.kg"), ("password", "demilge-demo")]).status == .seeOther)
            #expect(try await sql.select().column("key").from(SignInThrottle.table).all().isEmpty)
        }
    }

    @Test("an unknown address gets the same answers as a known one, after the same single password check")
    func unknownLikeKnown() async throws {
        try await withDemilge { app in
            let hasher = CountingHasher()
            app.passwords.use { _ in hasher }
            func attempts(_ email: String) async throws -> [(HTTPStatus, Int)] {
                let browser = Browser(app)
                try await browser.get("/signin")
                var seen: [(HTTPStatus, Int)] = []
                for _ in 1...SignInThrottle.freeFailures {
                    let before = hasher.verified.withLockedValue { $0 }
                    let response = try await browser.post("/signin", [("email", email), ("password", "wrong-password")])
                    let checks = hasher.verified.withLockedValue { $0 } - before
                    let text = response.body.string
                    seen.append((response.status, checks))
                    #expect(text.contains(response.status == .unauthorized ? "Почта же сырсөз туура эмес." : "Аракет өтө көп болду."))
                }
                return seen
            }
            let known = try await attempts("staff.osh@demilge.kg"), unknown = try await attempts("nobody@demilge.kg")
            #expect(known.map(\.0) == unknown.map(\.0))
            #expect(known.map(\.1) == unknown.map(\.1) && known.allSatisfy { $0.1 == 1 }, "one password check each, known or not")
        }
    }

    @Test("an anonymous visitor's pages and forms write no session row; signing in makes one")
    func anonymousWritesNothing() async throws {
        try await withDemilge { app in
            let visitor = Browser(app)
            for path in ["/", "/signin", "/register", "/password/forgot", "/rounds", "/problems", "/territories/KG-GO"] {
                #expect(try await visitor.get(path).status == .ok, "\(path)")
            }
            #expect(try await Self.sessionRows(app) == 0)
            #expect(visitor.cookies[CSRF.cookie] != nil && visitor.cookies[PageCacheMiddleware.sessionCookie] == nil)
            let refused = try await visitor.post("/signin", [("email", "admin@demilge.kg"), ("password", "demilge-demo"), ("_csrf", "forged")], csrf: false)
            #expect(refused.status == .forbidden, "a form without the visitor's token is refused")
            #expect(try await visitor.post("/signin", [("email", "admin@demilge.kg"), ("password", "demilge-demo")]).status == .seeOther)
            #expect(try await Self.sessionRows(app) == 1)
        }
    }

    @Test("a session ends after its idle and absolute limits")
    func expiry() async throws {
        try await withDemilge { app in
            for field in ["seen", "signed_in"] {
                let user = try await Browser(app).signIn("staff.osh@demilge.kg")
                #expect(try await user.get("/account").status == .ok)
                let limit = field == "seen" ? SessionLifetime.idle : SessionLifetime.absolute
                for record in try await SessionRecord.query(on: app.db).all() {
                    record.data[field] = String(Date().millis - limit - 60_000)
                    try await record.save(on: app.db)
                }
                #expect(try await user.get("/account").status == .seeOther, "\(field): signed out")
                try await SessionRecord.query(on: app.db).delete()
            }
        }
    }

    @Test("a session moves to a new ID when the account's roles change, and the old ID stops working")
    func rotation() async throws {
        try await withDemilge { app in
            let resident = try await Browser(app).signIn("resident.manas-ata@demilge.kg")
            let before = try #require(resident.cookies[PageCacheMiddleware.sessionCookie])
            let admin = try await Browser(app).signIn("admin@demilge.kg")
            let userID = try #require(try await User.query(on: app.db).filter(\.$email == "resident.manas-ata@demilge.kg").first()?.id)
            try await admin.get("/admin/users/\(userID.uuidString.lowercased())")
            let granted = try await admin.post("/admin/users/\(userID.uuidString.lowercased())/roles",
                                               [("role", "facilitator"), ("scope", "territory"), ("territory", "KG-GO")])
            #expect(granted.status == .seeOther)
            #expect(try await resident.get("/account").status == .ok)
            let after = try #require(resident.cookies[PageCacheMiddleware.sessionCookie])
            #expect(after != before, "a new session ID after the role change")
            let stale = Browser(app)
            let old = try await app.testing().sendRequest(.GET, "/account", headers: [HTTPHeaders.Name.cookie.description: "\(PageCacheMiddleware.sessionCookie)=\(before)"])
            #expect(old.status == .seeOther, "the old ID no longer signs anyone in")
            _ = stale
        }
    }

    @Test("over https, cookies are Secure and HSTS is sent")
    func secureCookies() async throws {
        try await withDemilge(publicURL: "https://demilge.example") { app in
            let response = try await app.testing().sendRequest(.GET, "/signin")
            #expect(response.headers.first(name: "Strict-Transport-Security")?.contains("max-age=") == true)
            #expect(response.headers[.setCookie].allSatisfy { $0.contains("Secure") } && !response.headers[.setCookie].isEmpty)
            let browser = try await Browser(app).signIn("staff.osh@demilge.kg")
            _ = browser
        }
        try await withDemilge { app in
            let response = try await app.testing().sendRequest(.GET, "/signin")
            #expect(response.headers.first(name: "Strict-Transport-Security") == nil, "no HSTS over plain http")
        }
    }

    @Test("a ballot of an unconfirmed address is stored but not counted until the link from the e-mail is used, once")
    func confirmation() async throws {
        try await withDemilge { app in
            let staff = try await Browser(app).signIn("staff.osh@demilge.kg")
            let path = try await BudgetingTests.openRound(staff)
            let person = Browser(app)
            try await person.get("/register")
            #expect(try await person.post("/register", [("name", "Жаңы тургун"), ("email", "new@example.kg"), ("password", "new-password-1"),
                                                        ("password_confirm", "new-password-1"), ("territory", "KG-GO-manas-ata")]).status == .seeOther)
            try await person.get(path)
            let voted = try await person.post("\(path)/ballot", [("choice[]", "1")])
            #expect(voted.status == .seeOther)
            #expect(try await person.get(path).body.string.contains("электрондук дарегиңизди ырастаганда гана эсепке алынат"))
            let round = try #require(try await BudgetRound.find(UUID(uuidString: String(path.split(separator: "/").last ?? "")), on: app.db))
            #expect(try await BudgetingTests.ballots(app, path).count == 1, "stored")
            #expect(try await RoundData.load(round, on: app.db).ballots.isEmpty, "not counted")
            #expect(try await RoundData.counts(try round.requireID(), on: app.db)[.online] == nil)

            let mail = try #require(try await OutboxMessage.query(on: app.db).filter(\.$kind == "mail.confirm").filter(\.$recipient == "new@example.kg").first())
            let link = try #require(mail.body.split(whereSeparator: \.isNewline).first { $0.contains("/account/confirm/") })
            let token = String(link.split(separator: "/").last ?? "")
            let anyone = Browser(app)
            let page = try await anyone.get("/account/confirm/\(token)")
            #expect(page.status == .ok && page.headers.first(name: "Referrer-Policy") == "no-referrer")
            #expect(try await User.query(on: app.db).filter(\.$email == "new@example.kg").first()?.emailConfirmedMillis == nil, "opening the link confirms nothing")
            #expect(try await anyone.post("/account/confirm", [("token", token)]).status == .seeOther)
            #expect(try await User.query(on: app.db).filter(\.$email == "new@example.kg").first()?.emailConfirmedMillis != nil)
            #expect(try await RoundData.load(round, on: app.db).ballots.count == 1, "counted once confirmed")
            try await anyone.get("/account/confirm/\(token)")
            #expect(try await anyone.post("/account/confirm", [("token", token)]).status == .gone, "the link works once")
        }
    }
}

@Suite("One-time codes from an administrator")
struct ResetCodeTests {
    @Test("an administrator's code lets the person set a new password once, ending other sessions; a wrong or used code is refused")
    func code() async throws {
        try await withDemilge { app in
            let userID = try #require(try await User.query(on: app.db).filter(\.$email == "resident.manas-ata@demilge.kg").first()?.id)
            let elsewhere = try await Browser(app).signIn("resident.manas-ata@demilge.kg")
            let admin = try await Browser(app).signIn("admin@demilge.kg")
            try await admin.get("/admin/users/\(userID.uuidString.lowercased())")
            let issued = try await admin.post("/admin/users/\(userID.uuidString.lowercased())/reset-code", [])
            #expect(issued.status == .ok && issued.headers.first(name: .cacheControl) == "no-store")
            let page = issued.body.string
            let start = try #require(page.range(of: #"<strong class="reset-code">"#))
            let code = String(page[start.upperBound...].prefix(14))
            #expect(code.count == 14 && code.filter { $0 == "-" }.count == 2)
            #expect(try await PasswordReset.query(on: app.db).filter(\.$origin == "administrator").first()?.tokenHash == ResetToken.hash(code), "only the hash is kept")

            let person = Browser(app)
            try await person.get("/password/code")
            #expect(try await person.post("/password/code", [("code", "AAAA-BBBB-CCCC")]).status == .unprocessableEntity)
            #expect(try await person.post("/password/code", [("code", code.lowercased().replacingOccurrences(of: "-", with: " "))]).status == .seeOther,
                    "typed in lower case with spaces")
            try await person.get("/password/reset")
            #expect(try await person.post("/password/reset", [("password", "жаңы-сырсөз-2026"), ("password_confirm", "жаңы-сырсөз-2026")]).status == .seeOther)
            #expect(try await elsewhere.get("/account").status == .seeOther, "the other session ended")
            #expect(try await Browser(app).signIn("resident.manas-ata@demilge.kg", password: "жаңы-сырсөз-2026").get("/account").status == .ok)
            let again = Browser(app)
            try await again.get("/password/code")
            #expect(try await again.post("/password/code", [("code", code)]).status == .unprocessableEntity, "used once")
        }
    }
}
