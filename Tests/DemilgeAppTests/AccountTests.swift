@testable import DemilgeApp
import DemilgeCore
import Fluent
import Testing
import Vapor
import VaporTesting

@Suite("Accounts")
struct AccountTests {
    @Test("register, land signed in with a resident role, sign out, sign in again")
    func registerSignInSignOut() async throws {
        try await withDemilge { app in
            let browser = Browser(app)
            try await browser.get("/register")
            let registered = try await browser.post("/register", [
                ("name", "Гүлнара Асанова"), ("email", "Gulnara@Example.kg"), ("password", "тоолор-2025!"),
                ("password_confirm", "тоолор-2025!"), ("territory", "KG-GO-alay-1"),
            ])
            #expect(registered.status == .seeOther)
            #expect(registered.location == "/account")
            let session = try #require(registered.headers[.setCookie].first { $0.hasPrefix("demilge_session=") })
            #expect(session.contains("HttpOnly") && session.contains("SameSite=Lax"))

            let account = try await browser.get("/account")
            #expect(account.status == .ok)
            #expect(account.body.string.contains("Гүлнара Асанова") && account.body.string.contains("gulnara@example.kg"))
            #expect(account.body.string.contains("тургун — <a href=\"/territories/KG-GO-alay-1\">Алай 1</a>"))
            #expect(account.body.string.contains("Кош келиңиз!"))

            let user = try #require(try await User.query(on: app.db).filter(\.$email == "gulnara@example.kg").first())
            #expect(user.passwordHash.hasPrefix("$2"), "bcrypt hash")
            #expect(!user.passwordHash.contains("тоолор"))
            let actions = try await AuditEntry.query(on: app.db).filter(\.$entityID == user.id!.uuidString.lowercased()).sort(\.$id).all().map(\.action)
            #expect(actions == ["user.register", "role.grant"])

            try await browser.post("/signout", [])
            #expect(try await browser.get("/account").location == "/signin?back=/account")
            try await browser.signIn("gulnara@example.kg", password: "тоолор-2025!")
            #expect(try await browser.get("/account").status == .ok)
        }
    }

    @Test("bad registration input: clear messages in the reader's language, input kept, nothing stored")
    func registrationErrors() async throws {
        try await withDemilge { app in
            let browser = Browser(app)
            try await browser.get("/lang/ru?back=/register")
            try await browser.get("/register")
            let before = try await Snapshot.take(app.db)
            let cases: [([(String, String)], String)] = [
                ([("name", "Азамат"), ("email", "not-an-email"), ("password", "длинный-пароль"), ("password_confirm", "длинный-пароль")], "Неверный адрес электронной почты."),
                ([("name", "Азамат"), ("email", "azamat@example.kg"), ("password", "short"), ("password_confirm", "short")], "Пароль должен содержать не менее 10 символов."),
                ([("name", "Азамат"), ("email", "azamat@example.kg"), ("password", "длинный-пароль"), ("password_confirm", "другой-пароль")], "Пароли не совпадают."),
                ([("name", ""), ("email", "azamat@example.kg"), ("password", "длинный-пароль"), ("password_confirm", "длинный-пароль")], "Заполните это поле."),
                ([("name", "Азамат"), ("email", "admin@demilge.kg"), ("password", "длинный-пароль"), ("password_confirm", "длинный-пароль")], "Аккаунт с этой почтой уже есть."),
                ([("name", "Азамат"), ("email", "azamat@example.kg"), ("password", "длинный-пароль"), ("password_confirm", "длинный-пароль"), ("territory", "KG-NOWHERE")], "Выберите из списка."),
            ]
            for (fields, message) in cases {
                let response = try await browser.post("/register", fields)
                let body = response.body.string
                #expect(response.status == .unprocessableEntity, "\(message)")
                #expect(body.contains(message))
                #expect(body.contains("value=\"Азамат\"") || fields.first?.1 == "", "name kept")
                #expect(!body.contains("длинный-пароль"), "passwords are never echoed")
            }
            #expect(try await Snapshot.take(app.db) == before)
        }
    }

    @Test("wrong password is refused; repeated failures are rate-limited with a clear message")
    func signInRateLimit() async throws {
        try await withDemilge { app in
            let browser = Browser(app)
            try await browser.get("/signin")
            let wrong = try await browser.post("/signin", [("email", "admin@demilge.kg"), ("password", "nope-nope-nope")])
            #expect(wrong.status == .unauthorized)
            #expect(wrong.body.string.contains("Почта же сырсөз туура эмес."))
            #expect(wrong.body.string.contains("value=\"admin@demilge.kg\""), "email kept")
            for _ in 1..<SignInThrottle.freeFailures {
                _ = try await browser.post("/signin", [("email", "admin@demilge.kg"), ("password", "nope-nope-nope")])
            }
            let limited = try await browser.post("/signin", [("email", "admin@demilge.kg"), ("password", "nope-nope-nope")])
            #expect(limited.status == .tooManyRequests)
            #expect(limited.body.string.contains("Аракет өтө көп болду."))
        }
    }

    @Test("signing in rotates the session ID and the CSRF token")
    func sessionRotation() async throws {
        try await withDemilge { app in
            let browser = Browser(app)
            try await browser.get("/signin")
            #expect(browser.cookies["demilge_session"] == nil, "a visitor's form needs no session")
            let tokenBefore = try #require(browser.csrf)
            try await browser.post("/signin", [("email", "admin@demilge.kg"), ("password", "demilge-demo")])
            let before = try #require(browser.cookies["demilge_session"])
            #expect(try await browser.get("/account").status == .ok)
            #expect(browser.csrf != tokenBefore, "the visitor's token is not the session's")
            // Signing in again (as anyone sharing the browser would) leaves the earlier ID worth nothing.
            try await browser.get("/signin")
            try await browser.post("/signin", [("email", "staff.osh@demilge.kg"), ("password", "demilge-demo")])
            let after = try #require(browser.cookies["demilge_session"])
            #expect(after != before)
            let stolen = try await app.testing().sendRequest(.GET, "/account", headers: ["Cookie": "demilge_session=\(before)"])
            #expect(stolen.status == .seeOther, "the earlier session ID does not sign anyone in")
        }
    }

    @Test("a disabled account cannot sign in")
    func disabledAccount() async throws {
        try await withDemilge { app in
            let user = try #require(try await User.query(on: app.db).filter(\.$email == "resident.manas-ata@demilge.kg").first())
            user.disabled = true
            try await user.update(on: app.db)
            let browser = Browser(app)
            try await browser.get("/signin")
            let response = try await browser.post("/signin", [("email", "resident.manas-ata@demilge.kg"), ("password", "demilge-demo")])
            #expect(response.status == .unauthorized)
            #expect(response.body.string.contains("Бул аккаунт өчүрүлгөн."))
        }
    }
}

@Suite("Safety")
struct SafetyTests {
    @Test("a form without the session's CSRF token is refused and changes nothing")
    func csrf() async throws {
        try await withDemilge { app in
            let browser = Browser(app)
            try await browser.get("/register")
            let before = try await Snapshot.take(app.db)
            let fields = [("name", "Азамат"), ("email", "azamat@example.kg"), ("password", "длинный-пароль"), ("password_confirm", "длинный-пароль")]
            let missing = try await browser.post("/register", fields, csrf: false)
            #expect(missing.status == .forbidden)
            #expect(missing.body.string.contains("Форманын мөөнөтү бүттү"))
            let forged = try await browser.post("/register", fields + [("_csrf", "forged-token")], csrf: false)
            #expect(forged.status == .forbidden)
            #expect(try await Snapshot.take(app.db) == before)
        }
    }

    @Test("reading public pages sets no cookie and stores no session; a form page sets only the visitor's form token")
    func noSessionForReaders() async throws {
        try await withDemilge { app in
            for path in ["/", "/territories", "/programmes/vap", "/organisations/dpi"] {
                let response = try await app.testing().sendRequest(.GET, path)
                #expect(response.headers[.setCookie].isEmpty, "\(path)")
            }
            #expect(try await SessionRecord.query(on: app.db).count() == 0)
            let form = try await app.testing().sendRequest(.GET, "/register")
            #expect(form.headers[.setCookie].count == 1 && form.headers[.setCookie].allSatisfy { $0.hasPrefix("\(CSRF.cookie)=") && $0.contains("HttpOnly") })
            #expect(form.headers.first(name: .cacheControl)?.contains("no-store") == true, "a page with a form token is nobody else's")
            #expect(try await SessionRecord.query(on: app.db).count() == 0)
        }
    }

    @Test("security headers on every response: CSP without inline script, no framing, nosniff, referrer policy")
    func securityHeaders() async throws {
        try await withDemilge { app in
            for path in ["/", "/territories/KG-O", "/nowhere", "/css/demilge.css", "/territories.csv"] {
                let response = try await app.testing().sendRequest(.GET, path)
                let csp = try #require(response.headers.first(name: "Content-Security-Policy"), "\(path)")
                #expect(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline") && csp.contains("frame-ancestors 'none'"))
                #expect(response.headers.first(name: "X-Content-Type-Options") == "nosniff")
                #expect(response.headers.first(name: "Referrer-Policy") == "same-origin")
                #expect(response.headers.first(name: "X-Frame-Options") == "DENY")
            }
        }
    }

    @Test("an oversized body gets a clear message and changes nothing (over real HTTP)")
    func bodyLimit() async throws {
        try await withDemilge { app in
            let browser = Browser(app)
            browser.method = .running(hostname: "127.0.0.1", port: Int.random(in: 20_000...40_000))
            try await browser.get("/register")
            let before = try await Snapshot.take(app.db)
            let huge = String(repeating: "а", count: 300_000)
            let response = try await browser.post("/register", [("name", huge), ("email", "x@example.kg")])
            #expect(response.status == .payloadTooLarge)
            #expect(response.body.string.contains("Жөнөтүлгөн маалымат өтө чоң."))
            #expect(try await Snapshot.take(app.db) == before)
        }
    }

    @Test("no input a user can send gives a 500")
    func malformedInput() async throws {
        try await withDemilge { app in
            let admin = try await Browser(app).signIn("admin@demilge.kg")
            try await admin.get("/admin")
            let token = try #require(admin.csrf)
            let user = try #require(try await User.query(on: app.db).first()).id!.uuidString
            let posts = ["/register", "/signin", "/signout", "/admin/territories", "/admin/territories/KG-O", "/admin/territories/import",
                         "/admin/organisations", "/admin/organisations/dpi", "/admin/users/\(user)/roles", "/admin/users/\(user)/status",
                         "/admin/users/\(user)/roles/not-a-uuid/revoke", "/admin/users/not-a-uuid/roles",
                         "/problems", "/problems/not-a-uuid/support", "/problems/not-a-uuid/status", "/problems/not-a-uuid/merge"]
            let bodies: [(String, String)] = [
                ("_csrf=\(token)&name[]=a&name[]=b&email[x]=1", "application/x-www-form-urlencoded"),
                ("_csrf=\(token)&%FF%FE=%C0%AF&kind=%00", "application/x-www-form-urlencoded"),
                ("_csrf=\(token)&name=Ош%00&email=nul%00@example.kg&password=%00%00%00%00%00%00%00%00%00%00&password_confirm=%00%00%00%00%00%00%00%00%00%00"
                    + "&kind=settlement&parent=KG-GO&name_ky=Ко%00нуш&title=Көйгөй%00бар&description=Сүрөттөмө%00%01%02текст&category=water&territory=KG-GO"
                    + "&csv=code,kind%00&body=%00%00пикир&reason=%00себеп", "application/x-www-form-urlencoded"),
                ("{\"_csrf\": \"\(token)\", \"name\": 5, \"version\": [1]}", "application/json"),
                ("_csrf=\(token)&version=99999999999999999999999&kind=oblast&parent=KG-O&name_ky=x", "application/x-www-form-urlencoded"),
                ("--x\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n\(token)\r\n--x--", "multipart/form-data; boundary=x"),
                ("garbage", "multipart/form-data; boundary=zz"),
                ("", "text/plain"),
            ]
            for path in posts {
                for (body, type) in bodies {
                    let response = try await admin.postRaw(path, body: body, contentType: type)
                    #expect(response.status.code < 500, "\(path) \(type): \(response.status)")
                }
            }
            for path in ["/problems?territory=%00&category=x&status=y&sort=z", "/problems.csv?territory=nope", "/problems/x/photo", "/territories/%00", "/organisations/..%2F..", "/programmes/x/grantees", "/admin/users/zzz", "/lang/%FF", "/signin?back=%0d%0aSet-Cookie:x"] {
                #expect(try await admin.get(path).status.code < 500, "\(path)")
            }
        }
    }
}
