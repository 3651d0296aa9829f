@testable import DemilgeApp
import DemilgeCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("Following and notifications")
struct NotificationTests {
    static func inbox(_ app: Application, _ email: String) async throws -> [InboxItem] {
        let user = try #require(try await User.query(on: app.db).filter(\.$email == email).first())
        return try await InboxItem.query(on: app.db).filter(\.$user.$id == user.requireID()).sort(\.$id).all()
    }

    static func user(_ app: Application, _ email: String) async throws -> UUID {
        try #require(try await User.query(on: app.db).filter(\.$email == email).first()).requireID()
    }

    @Test("raising and supporting follow a problem; a comment and a status change reach its followers' inboxes, never the actor's")
    func problemNews() async throws {
        try await withDemilge { app in
            let author = try await Browser(app).signIn("resident.manas-ata@demilge.kg")
            let id = try await ProblemTests.raise(author)
            let problemID = try #require(UUID(uuidString: id))
            try await makeUser(app, "neighbour@example.kg", name: "Айбек")
            let neighbour = try await Browser(app).signIn("neighbour@example.kg")
            try await neighbour.get("/problems/\(id)")
            try await neighbour.post("/problems/\(id)/support", [])
            for email in ["resident.manas-ata@demilge.kg", "neighbour@example.kg"] {
                let follow = try await Follow.query(on: app.db).filter(\.$user.$id == Self.user(app, email)).filter(\.$subjectID == problemID).first()
                #expect(follow?.automatic == true, "\(email) follows the problem by raising or supporting it")
            }

            try await neighbour.get("/problems/\(id)")
            try await neighbour.post("/problems/\(id)/comments", [("body", "Биздин көчөдө да ушундай.")])
            #expect(try await Self.inbox(app, "neighbour@example.kg").isEmpty, "the commenter is not told of their own comment")
            let told = try await Self.inbox(app, "resident.manas-ata@demilge.kg")
            #expect(told.map(\.kind) == [.comment] && told.first?.subjectID == problemID)

            let staff = try await Browser(app).signIn("staff.osh@demilge.kg")
            try await staff.get("/problems/\(id)")
            #expect(try await staff.post("/problems/\(id)/status", [("to", "under_review"), ("reason", "карап жатабыз"), ("version", "1")]).status == .seeOther)
            #expect(try await Self.inbox(app, "neighbour@example.kg").map(\.kind) == [.status])
            #expect(try await Self.inbox(app, "resident.manas-ata@demilge.kg").map(\.kind) == [.comment, .status])
            #expect(try await Self.inbox(app, "staff.osh@demilge.kg").isEmpty)

            neighbour.acceptLanguage = "ru"
            let page = try await neighbour.get("/account/notifications").body.string
            #expect(page.contains("«Көчөдө жарык жок»: новый статус — На рассмотрении"), "the line reads in the reader's language")
            #expect(page.contains("href=\"/problems/\(id)\""))
            #expect(page.contains("Уведомления (новых: 1)"), "the header counts what is unread")
            try await neighbour.post("/account/notifications/read", [])
            #expect(try await Self.inbox(app, "neighbour@example.kg").allSatisfy { $0.readMillis != nil })
            #expect(!(try await neighbour.get("/account/notifications").body.string.contains("новых:")))
        }
    }

    @Test("the follow button follows and stops following what the reader may see; drafts and strangers' ids are not found")
    func followButton() async throws {
        try await withDemilge { app in
            let resident = try await Browser(app).signIn("resident.manas-ata@demilge.kg")
            let osh = try await territoryID(app, "KG-GO")
            let page = try await resident.get("/territories/KG-GO").body.string
            #expect(page.contains("name=\"subject\" value=\"territory\"") && page.contains("Көз салуу"))
            let followed = try await resident.post("/follows", [("subject", "territory"), ("id", osh.uuidString), ("follow", "1")])
            #expect(followed.status == .seeOther && followed.location == "/territories/KG-GO")
            #expect(try await Notifier.follows(Self.user(app, "resident.manas-ata@demilge.kg"), .territory, osh, on: app.db))
            #expect(try await resident.get("/territories/KG-GO").body.string.contains("Көз салууну токтотуу"))
            #expect(try await resident.post("/follows", [("subject", "territory"), ("id", osh.uuidString), ("follow", "0")]).status == .seeOther)
            #expect(!(try await Notifier.follows(Self.user(app, "resident.manas-ata@demilge.kg"), .territory, osh, on: app.db)))

            let staff = try await Browser(app).signIn("staff.osh@demilge.kg")
            try await staff.get("/rounds/new")
            let created = try await staff.post("/rounds", [("title", "Каралама айлампа"), ("territory", "KG-GO-manas-ata"), ("envelope", "100 000"),
                                                            ("ballot_type", "approval"), ("rule", "greedy_cost_sat"),
                                                            ("opens_on", Day.today().description), ("closes_on", Day.today().adding(days: 5).description),
                                                            ("eligibility", "self_declared")])
            let roundID = try #require(created.location?.split(separator: "/").last.map(String.init))
            try await resident.get("/territories/KG-GO")
            #expect(try await resident.post("/follows", [("subject", "round"), ("id", roundID), ("follow", "1")]).status == .notFound, "a draft round is its managers' own")
            #expect(try await resident.post("/follows", [("subject", "problem"), ("id", UUID().uuidString), ("follow", "1")]).status == .notFound)
            #expect(try await resident.post("/follows", [("subject", "planet"), ("id", osh.uuidString), ("follow", "1")]).status == .notFound)
            let visitor = Browser(app)
            try await visitor.get("/territories/KG-GO")
            #expect(try await visitor.post("/follows", [("subject", "territory"), ("id", osh.uuidString), ("follow", "1")]).status.code >= 300)
            #expect(try await Follow.query(on: app.db).filter(\.$subjectID == osh).count() == 0)
        }
    }

    @Test("a round opening reaches its residents and followers of places above it; voters follow the round and hear its results")
    func roundNews() async throws {
        try await withDemilge { app in
            try await makeUser(app, "oblast.watcher@example.kg")
            try await makeUser(app, "nookat.resident@example.kg", [RoleGrant(.resident, .territory(try await territoryID(app, "KG-O-nookat")))])
            let watcher = try await Self.user(app, "oblast.watcher@example.kg"), osh = try await territoryID(app, "KG-GO")
            try await app.write { db in
                try await Notifier.follow(watcher, .territory, osh, automatic: false, on: db)
                try await AuditLog.record(on: db, by: .system("test"), action: "user.follow", entityType: "user", entityID: "test")
            }
            let staff = try await Browser(app).signIn("staff.osh@demilge.kg")
            let path = try await BudgetingTests.openRound(staff)
            let roundID = try #require(UUID(uuidString: String(path.split(separator: "/").last ?? "")))
            for email in ["resident.manas-ata@demilge.kg", "oblast.watcher@example.kg"] {
                let items = try await Self.inbox(app, email)
                #expect(items.map(\.kind) == [.roundOpened] && items.first?.subjectID == roundID, "\(email)")
            }
            #expect(try await Self.inbox(app, "nookat.resident@example.kg").isEmpty, "a resident elsewhere is not told")
            #expect(try await Self.inbox(app, "staff.osh@demilge.kg").isEmpty)

            let resident = try await Browser(app).signIn("resident.manas-ata@demilge.kg")
            try await resident.get(path)
            #expect(try await resident.post("\(path)/ballot", [("choice[]", "1")]).status == .seeOther)
            #expect(try await Notifier.follows(Self.user(app, "resident.manas-ata@demilge.kg"), .round, roundID, on: app.db), "voting follows the round")

            try await staff.get(path)
            #expect(try await staff.post("\(path)/status", [("status", "counting"), ("version", "3")]).status == .seeOther)
            try await staff.get(path)
            #expect(try await staff.post("\(path)/status", [("status", "published"), ("version", "4")]).status == .seeOther)
            let items = try await Self.inbox(app, "resident.manas-ata@demilge.kg")
            #expect(items.map(\.kind) == [.roundOpened, .status, .results])
            #expect(try await Self.inbox(app, "oblast.watcher@example.kg").count == 1, "following the place tells of openings, not of every stage")
            resident.acceptLanguage = "en"
            #expect(try await resident.get("/account/notifications").body.string.contains("href=\"\(path)/results\""))
        }
    }

    @Test("e-mail: immediate kinds leave at once in the recipient's language with one-click unsubscribe; the rest wait for the digest")
    func mail() async throws {
        try await withDemilge { app in
            let folder = try MailFolder.attach(app)
            let author = try await Browser(app).signIn("resident.manas-ata@demilge.kg")
            let id = try await ProblemTests.raise(author)
            try await makeUser(app, "neighbour@example.kg", name: "Айбек")
            let neighbour = try await Browser(app).signIn("neighbour@example.kg")
            try await neighbour.get("/account/notifications/settings")
            let settings = NotificationKind.allCases.map { ($0.rawValue, $0 == .status ? "immediate" : $0.defaultDelivery.rawValue) } + [("language", "ru")]
            #expect(try await neighbour.post("/account/notifications/settings", settings).status == .seeOther)
            let bad = try await neighbour.post("/account/notifications/settings", [("status", "hourly"), ("language", "fr")])
            #expect(bad.status == .unprocessableEntity, "an unknown choice is refused and nothing changes")
            try await neighbour.get("/problems/\(id)")
            try await neighbour.post("/problems/\(id)/support", [])

            let staff = try await Browser(app).signIn("staff.osh@demilge.kg")
            try await staff.get("/problems/\(id)")
            try await staff.post("/problems/\(id)/status", [("to", "under_review"), ("reason", "карап жатабыз"), ("version", "1")])
            try await NotificationMailer.mailDue(app)
            try await Outbox.deliverDue(app)
            let first = try MailFolder.read(folder).filter { $0.headers["to"] == "neighbour@example.kg" }
            #expect(first.count == 1)
            let message = try #require(first.first)
            #expect(MailFolder.subject(message) == "Демилге: «Көчөдө жарык жок»: новый статус — На рассмотрении")
            #expect(message.headers["content-language"] == "ru" && message.body.hasPrefix("Здравствуйте, Айбек!"))
            #expect(message.body.contains("https://demilge.test/problems/\(id)") || message.body.contains("/problems/\(id)"))
            #expect(message.headers["list-unsubscribe-post"] == "List-Unsubscribe=One-Click")
            let unsubscribe = try #require(message.headers["list-unsubscribe"]?.trimmingCharacters(in: CharacterSet(charactersIn: "<>")))
            #expect(message.body.contains(unsubscribe))
            #expect(try MailFolder.read(folder).allSatisfy { $0.headers["to"] != "resident.manas-ata@demilge.kg" },
                    "the author's status news waits for the digest")

            // The digest: everything due for the author at 8:00 Bishkek time, in one message in their language.
            try await neighbour.get("/problems/\(id)")
            try await neighbour.post("/problems/\(id)/comments", [("body", "Биздин көчөдө да ушундай.")])
            let digestTime = DigestClock.due(after: Date()).addingTimeInterval(1)
            try await NotificationMailer.mailDue(app, now: digestTime)
            try await Outbox.deliverDue(app, now: { digestTime })
            let digests = try MailFolder.read(folder).filter { $0.headers["to"] == "resident.manas-ata@demilge.kg" }
            #expect(digests.count == 1)
            #expect(digests.first.map(MailFolder.subject) == "Демилге: 2 жаңы кабар")
            #expect(digests.first?.body.contains("«Көчөдө жарык жок»: жаңы пикир") == true)
            #expect(try await InboxItem.query(on: app.db).filter(\.$mailDueMillis != nil).count() == 0, "each notification is mailed once")

            // One click, no sign-in, no form token: a mail client's POST stops that kind of e-mail.
            let path = try #require(URLComponents(string: unsubscribe)?.path)
            let scanned = try await app.testing().sendRequest(.GET, path)
            #expect(scanned.status == .ok && scanned.body.string.contains("<button"))
            #expect(try await NotificationSetting.query(on: app.db).count() == 1, "opening the link changes nothing")
            var forged = path
            forged.removeLast(2)
            forged += "AA"
            #expect(try await app.testing().sendRequest(.POST, forged, headers: ["Content-Type": "application/x-www-form-urlencoded"],
                                                         body: ByteBuffer(string: "List-Unsubscribe=One-Click")).status == .notFound)
            let clicked = try await app.testing().sendRequest(.POST, path, headers: ["Content-Type": "application/x-www-form-urlencoded"],
                                                               body: ByteBuffer(string: "List-Unsubscribe=One-Click"))
            #expect(clicked.status == .ok)
            let neighbourID = try await Self.user(app, "neighbour@example.kg")
            let setting = try await NotificationSetting.query(on: app.db).filter(\.$user.$id == neighbourID).filter(\.$kind == .status).first()
            #expect(setting?.delivery == MailDelivery.none)
            try await staff.get("/problems/\(id)")
            try await staff.post("/problems/\(id)/status", [("to", "prioritised"), ("reason", "комиссия тандады"), ("version", "2")])
            let latest = try #require(try await Self.inbox(app, "neighbour@example.kg").last)
            #expect(latest.kind == .status && latest.mailDueMillis == nil, "still in the inbox, no longer e-mailed")
        }
    }

    @Test("workers racing to mail the same notifications write each person one message")
    func mailRace() async throws {
        try await withDemilge { app in
            _ = try MailFolder.attach(app)
            var made: [UUID] = []
            for n in 0..<6 { made.append(try await makeUser(app, "follower\(n)@example.kg").requireID()) }
            let people = made
            let problem = try #require(try await Problem.query(on: app.db).first())
            try await app.write { db in
                for person in people { try await Notifier.follow(person, .problem, try problem.requireID(), automatic: false, on: db) }
                try await Notifier.tell(.init(kind: .decision, subject: .problem, subjectID: try problem.requireID(), title: problem.title,
                                              detail: "notify.detail.commission_chose", actor: nil), .followers(of: .problem, try problem.requireID()), on: db)
                try await AuditLog.record(on: db, by: .system("test"), action: "commission.decision", entityType: "problem", entityID: problem.idString)
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 { group.addTask { try await NotificationMailer.mailDue(app) } }
                try await group.waitForAll()
            }
            let messages = try await OutboxMessage.query(on: app.db).filter(\.$kind == "notify.decision").all()
            #expect(messages.count == people.count && Set(messages.map(\.recipient)).count == people.count)
        }
    }
}
