@testable import DemilgeApp
import DemilgeCore
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting

@Suite("Verified residents: the roll, ПИН verification, one person one ballot")
struct ResidentRollTests {
    // Aigul (female, 23.04.1987), Bakyt (male, 01.01.2000), Chyngyz (male, 05.12.1955), and a ПИН outside the common form.
    static let aigul = "12304198700123", bakyt = "20101200000045", chyngyz = "20512195500017", other = "30000000000001"
    static let goodRoll = """
        pin,settlement,name,birth_date,sex
        \(aigul),KG-GO-manas-ata,Айгүл,,
        \(bakyt),KG-GO-manas-ata,,,
        \(chyngyz),KG-GO-alay-1,,,
        \(other),KG-GO-manas-ata,,1970-06-01,ж
        """

    static func upload(_ staff: Browser, _ text: String) async throws -> TestingHTTPResponse {
        try await staff.get("/territories/KG-GO/roll")
        return try await staff.postMultipart("/territories/KG-GO/roll", [], file: ("roll", "roll.csv", "text/csv", Array(text.utf8)))
    }

    static func verify(_ app: Application, _ email: String, pin: String, birth: String) async throws -> (Browser, TestingHTTPResponse) {
        let person = try await Browser(app).signIn(email)
        try await person.get("/account/verify")
        return (person, try await person.post("/account/verify", [("pin", pin), ("birth_date", birth)]))
    }

    static func participations(_ app: Application) async throws -> [RoundParticipation] {
        try await RoundParticipation.query(on: app.db).all()
    }

    @Test("a roll with bad ПИНs is refused whole with line numbers; a good one is stored as keyed hashes and audited")
    func importRoll() async throws {
        try await withDemilge { app in
            let staff = try await Browser(app).signIn("staff.osh@demilge.kg")
            staff.acceptLanguage = "en"
            let bad = try await Self.upload(staff, "pin,settlement\n123,KG-GO-manas-ata\n13102198700123,KG-GO-manas-ata\n\(Self.aigul),KG-GO-manas-ata\n\(Self.aigul),KG-GO-alay-1\n")
            #expect(bad.status == .unprocessableEntity)
            let page = bad.body.string
            #expect(page.contains("Line 2: A PIN has 14 digits.") && page.contains("Line 3: The birth date in the PIN is not a real past day"))
            #expect(page.contains("Line 5: This PIN is also on line 4."))
            #expect(try await ResidentEntry.query(on: app.db).count() == 0, "a refused roll stores nothing")

            let good = try await Self.upload(staff, Self.goodRoll)
            #expect(good.status == .ok && good.body.string.contains("Roll replaced: 4 people (4 new"))
            let entries = try await ResidentEntry.query(on: app.db).all()
            #expect(entries.count == 4 && entries.allSatisfy { $0.pinHash.count == 64 })
            let aigul = try #require(entries.first { $0.name == "Айгүл" })
            #expect(aigul.birthDate == "1987-04-23" && aigul.sex == "female", "birth date and sex come from the ПИН")
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "roll.replace").count() == 1)

            let stranger = try await Browser(app).signIn("resident.manas-ata@demilge.kg")
            #expect(try await stranger.get("/territories/KG-GO/roll").status == .forbidden)
            try await stranger.get("/account")
            let refused = try await stranger.postMultipart("/territories/KG-GO/roll", [], file: ("roll", "roll.csv", "text/csv", Array(Self.goodRoll.utf8)))
            #expect(refused.status == .forbidden)
        }
    }

    @Test("a resident verifies with ПИН and birth date; a wrong date is refused; a second account of the same person is refused")
    func verification() async throws {
        try await withDemilge { app in
            #expect(try await Self.upload(try await Browser(app).signIn("staff.osh@demilge.kg"), Self.goodRoll).status == .ok)
            try await makeUser(app, "aigul@example.kg")
            try await makeUser(app, "aigul.second@example.kg")
            let (_, wrong) = try await Self.verify(app, "aigul@example.kg", pin: Self.aigul, birth: "24.04.1987")
            #expect(wrong.status == .unprocessableEntity && wrong.body.string.contains("эч бир тизмеде жок"))
            #expect(!wrong.body.string.contains(Self.aigul), "the ПИН typed is not shown back")
            let (aigul, done) = try await Self.verify(app, "aigul@example.kg", pin: Self.aigul, birth: "23.04.1987")
            #expect(done.status == .seeOther)
            #expect(try await aigul.get("/account/verify").body.string.contains("Манас-Ата"))
            #expect(try await ResidentVerification.query(on: app.db).count() == 1)
            let (_, second) = try await Self.verify(app, "aigul.second@example.kg", pin: Self.aigul, birth: "23.04.1987")
            #expect(second.status == .conflict && second.body.string.contains("башка аккаунт менен тастыкталган"))
            #expect(try await ResidentVerification.query(on: app.db).count() == 1)
            let (_, unparseable) = try await Self.verify(app, "aigul.second@example.kg", pin: "1230419870012", birth: "23.04.1987")
            #expect(unparseable.status == .unprocessableEntity && unparseable.body.string.contains("14 цифрадан"))
        }
    }

    @Test("guessing ПИНs is limited per account")
    func guessing() async throws {
        try await withDemilge { app in
            try await makeUser(app, "guesser@example.kg")
            let guesser = try await Browser(app).signIn("guesser@example.kg")
            var statuses: [HTTPStatus] = []
            for day in 1...(VerificationController.attemptsPerAccount + 1) {
                try await guesser.get("/account/verify")
                statuses.append(try await guesser.post("/account/verify", [("pin", Self.aigul), ("birth_date", String(format: "%02d.04.1987", day))]).status)
            }
            #expect(statuses.last == .tooManyRequests && statuses.dropLast().allSatisfy { $0 == .unprocessableEntity })
        }
    }

    @Test("a self-declared round's results say who could vote and how many ballots came from verified residents")
    func selfDeclaredResults() async throws {
        try await withDemilge { app in
            let staff = try await Browser(app).signIn("staff.osh@demilge.kg")
            #expect(try await Self.upload(staff, Self.goodRoll).status == .ok)
            let path = try await BudgetingTests.openRound(staff)
            try await makeUser(app, "aigul@example.kg")
            let (aigul, _) = try await Self.verify(app, "aigul@example.kg", pin: Self.aigul, birth: "23.04.1987")
            try await aigul.get(path)
            #expect(try await aigul.post("\(path)/ballot", [("choice[]", "1")]).status == .seeOther)
            let declared = try await Browser(app).signIn("resident.manas-ata@demilge.kg")
            try await declared.get(path)
            #expect(try await declared.post("\(path)/ballot", [("choice[]", "2")]).status == .seeOther)
            try await staff.get(path)
            #expect(try await staff.post("\(path)/status", [("status", "counting"), ("version", "3")]).status == .seeOther)
            try await staff.get(path)
            #expect(try await staff.post("\(path)/status", [("status", "published"), ("version", "4")]).status == .seeOther)
            let results = try await Browser(app).get("\(path)/results").body.string
            #expect(results.contains("Өзүн тургун деп жазгандар: жашаган жери текшерилбейт"))
            #expect(results.contains("<dt>Эсептелген бюллетендер</dt><dd>онлайн 2 · "))
            #expect(results.contains("<dt>Тастыкталган тургундар</dt><dd>онлайн 1 · Каттоо үстөлү 0</dd>"), "one of the two ballots is verified")
        }
    }

    @Test("one person, one ballot: a verified round refuses the unverified and mass registrations; desk and online exclude each other")
    func onePersonOneBallot() async throws {
        try await withDemilge { app in
            let staff = try await Browser(app).signIn("staff.osh@demilge.kg")
            #expect(try await Self.upload(staff, Self.goodRoll).status == .ok)
            let path = try await BudgetingTests.openRound(staff, eligibility: .verified)
            #expect(try await staff.get(path).body.string.contains("тастыкталган тургундар гана"))

            // Twenty scripted registrations, each declaring Манас-Ата as home: none casts a ballot.
            for index in 1...20 {
                let bot = Browser(app)
                try await bot.get("/register")
                let registered = try await bot.post("/register", [("name", "Бот \(index)"), ("email", "bot\(index)@example.kg"), ("password", "bot-password-\(index)"),
                                                                  ("password_confirm", "bot-password-\(index)"), ("territory", "KG-GO-manas-ata")])
                #expect(registered.status == .seeOther)
                try await bot.get(path)
                #expect(try await bot.post("\(path)/ballot", [("choice[]", "1")]).status == .forbidden)
            }
            #expect(try await BudgetingTests.ballots(app, path).isEmpty)

            try await makeUser(app, "aigul@example.kg")
            let (aigul, _) = try await Self.verify(app, "aigul@example.kg", pin: Self.aigul, birth: "23.04.1987")
            try await aigul.get(path)
            #expect(try await aigul.post("\(path)/ballot", [("choice[]", "1")]).status == .seeOther)
            try await aigul.get(path)
            #expect(try await aigul.post("\(path)/ballot", [("choice[]", "2")]).status == .seeOther, "the same account may change its ballot")
            #expect(try await BudgetingTests.ballots(app, path).count == 1)
            #expect(try await Self.participations(app).count == 1)

            // The paper desk turns away a person who voted online, and marks one who did not.
            let desk = "\(path)/desk"
            try await staff.get(desk)
            let turnedAway = try await staff.post(desk, [("pin", Self.aigul)])
            #expect(turnedAway.status == .conflict && turnedAway.body.string.contains("онлайн добуш берген"))
            let marked = try await staff.post(desk, [("pin", Self.bakyt)])
            #expect(marked.status == .ok && marked.body.string.contains("Белгиленди"))
            #expect(try await staff.post(desk, [("pin", Self.bakyt)]).status == .conflict, "no second paper ballot")
            let elsewhere = try await staff.post(desk, [("pin", Self.chyngyz)])
            #expect(elsewhere.status == .unprocessableEntity && elsewhere.body.string.contains("тизмесинде жок"), "Алай 1 is not the round's territory")

            // The person marked at the desk cannot then vote online from a verified account.
            try await makeUser(app, "bakyt@example.kg")
            let (bakyt, _) = try await Self.verify(app, "bakyt@example.kg", pin: Self.bakyt, birth: "01.01.2000")
            try await bakyt.get(path)
            let afterPaper = try await bakyt.post("\(path)/ballot", [("choice[]", "1")])
            #expect(afterPaper.status == .conflict && afterPaper.body.string.contains("кагаз бюллетениңиз чогулушта катталган"))

            // Aigul leaves the roll and comes back (a new entry): a second account verified as her still cannot vote.
            #expect(try await Self.upload(staff, Self.goodRoll.replacingOccurrences(of: "\(Self.aigul),KG-GO-manas-ata,Айгүл,,\n", with: "")).status == .ok)
            #expect(try await ResidentVerification.query(on: app.db).count() == 1, "her verification ended with her entry; Bakyt's stays")
            #expect(try await Self.upload(staff, Self.goodRoll).status == .ok)
            try await makeUser(app, "aigul.second@example.kg")
            let (second, verified) = try await Self.verify(app, "aigul.second@example.kg", pin: Self.aigul, birth: "23.04.1987")
            #expect(verified.status == .seeOther)
            try await second.get(path)
            let again = try await second.post("\(path)/ballot", [("choice[]", "3")])
            #expect(again.status == .conflict && again.body.string.contains("башка аккаунттан добуш бергенсиз"))
            #expect(try await BudgetingTests.ballots(app, path).count == 1)
            #expect(try await Self.participations(app).map(\.channel.rawValue).sorted() == ["online", "paper"])

            let turnout = try await RoundTurnout.load(try #require(UUID(uuidString: String(path.split(separator: "/").last ?? ""))), on: app.db)
            #expect(turnout.online == 1 && turnout.paper == 1)
            #expect(turnout.table.counts[.female, .from30to59] == 1 && turnout.table.counts[.male, .from18to29] == 1)
            #expect(Turnout.published(1) == nil && Turnout.published(0) == 0 && Turnout.published(5) == 5, "small cells are not published")
        }
    }
}

@Suite("Audit coverage")
struct AuditCoverageTests {
    @Test("a request's write that changes rows without an audit entry is listed; one that finds nothing to do, or audits, is not")
    func unauditedChangesAreCaught() async throws {
        try await withDemilge { app in
            let route = "POST /test/unaudited"
            try await app.write(by: route) { db in
                try await Territory.query(on: db).filter(\.$code == "KG-GO-manas-ata").set(\.$nameRu, to: "Манас-Ата").update()
            }
            // (Writes made outside a request, here the demo data's, carry no route and are not checked.)
            #expect(app.unauditedWrites.filter { !$0.isEmpty } == [route], "a change without an audit entry is caught")
            app.installWriteCounter()
            try await app.write(by: route) { db in
                try await Territory.query(on: db).filter(\.$code == "no-such-code").set(\.$nameRu, to: "—").update()
            }
            try await app.write(by: route) { db in
                try await Territory.query(on: db).filter(\.$code == "KG-GO-manas-ata").set(\.$nameRu, to: "Манас-Ата").update()
                try await AuditLog.record(on: db, by: .system("test"), action: "territory.update", entityType: "territory", entityID: "KG-GO-manas-ata")
            }
            #expect(app.unauditedWrites.isEmpty, "a write that changed nothing, and an audited one, are not listed")
        }
    }

    @Test("a round's move from draft to projects, made by its first project, is an audited status change")
    func draftToProjects() async throws {
        try await withDemilge { app in
            let staff = try await Browser(app).signIn("staff.osh@demilge.kg")
            let path = try await BudgetingTests.openRound(staff)
            let id = String(path.split(separator: "/").last ?? "")
            let moves = try await AuditEntry.query(on: app.db).filter(\.$entityID == id).filter(\.$action == "round.status").sort(\.$id).all()
            #expect(moves.count == 2, "draft → projects, then projects → voting")
            #expect(moves.first?.before?.contains("draft") == true && moves.first?.after?.contains("projects") == true)
        }
    }
}

@Suite("No ПИН anywhere")
struct NoPersonalNumberTests {
    /// Every text and number in every table, as text.
    static func everyValue(_ app: Application) async throws -> [String] {
        guard let sql = app.db as? any SQLDatabase else { return [] }
        struct Name: Decodable { let name: String }
        let query = TestDatabase.selection.isPostgres
            ? "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'"
            : "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        var values: [String] = []
        for table in try await sql.raw(SQLQueryString(query)).all(decoding: Name.self).map(\.name) {
            for row in try await sql.raw(SQLQueryString("SELECT * FROM \"\(table)\"")).all() {
                for column in row.allColumns {
                    if let text = try? row.decode(column: column, as: String.self) { values.append(text) }
                    else if let number = try? row.decode(column: column, as: Int64.self) { values.append(String(number)) }
                    else if let data = try? row.decode(column: column, as: Data.self) { values.append(String(decoding: data, as: UTF8.self)) }
                }
            }
        }
        return values
    }

    @Test("after a roll, verifications, the desk and a vote, no ПИН is in any table, page, export or audit entry")
    func nowhere() async throws {
        try await withDemilge { app in
            let pins = [ResidentRollTests.aigul, ResidentRollTests.bakyt, ResidentRollTests.chyngyz, ResidentRollTests.other]
            let staff = try await Browser(app).signIn("staff.osh@demilge.kg")
            #expect(try await ResidentRollTests.upload(staff, ResidentRollTests.goodRoll).status == .ok)
            let path = try await BudgetingTests.openRound(staff, eligibility: .verified)
            try await makeUser(app, "aigul@example.kg")
            let (aigul, _) = try await ResidentRollTests.verify(app, "aigul@example.kg", pin: ResidentRollTests.aigul, birth: "23.04.1987")
            try await aigul.get(path)
            #expect(try await aigul.post("\(path)/ballot", [("choice[]", "1")]).status == .seeOther)
            try await staff.get("\(path)/desk")
            #expect(try await staff.post("\(path)/desk", [("pin", ResidentRollTests.bakyt)]).status == .ok)
            try await staff.get("/territories/KG-GO/roll")
            let person = try await staff.post("/territories/KG-GO/roll/person", [("pin", "20202199000011"), ("settlement", "KG-GO-alay-1")])
            #expect(person.status == .seeOther, "added to the roll in person")
            let refused = try await staff.post("/territories/KG-GO/roll/person", [("pin", "20202199000012"), ("birth_date", "01.01.1991")])
            #expect(refused.status == .unprocessableEntity && !refused.body.string.contains("20202199000012"), "a refused form does not show the ПИН back")

            var seen: [String: String] = [:]
            for page in ["/territories/KG-GO/roll", "\(path)/desk", path, "\(path)/round.pb", "/account", "/account/verify", "/audit", "/audit.csv",
                         "/rounds", "/territories/KG-GO", "/transparency.json", "/api/rounds", "/feed.atom"] {
                for browser in [staff, aigul, try await Browser(app).signIn("admin@demilge.kg")] {
                    seen["\(page) as a browser"] = try await browser.get(page).body.string
                }
            }
            let values = try await Self.everyValue(app)
            #expect(values.count > 1_000, "the tables were read")
            for pin in pins + ["20202199000011", "20202199000012"] {
                for (page, body) in seen where body.contains(pin) { Issue.record("\(page) shows a ПИН") }
                #expect(!values.contains { $0.contains(pin) }, "a ПИН is stored in clear")
            }
            let audit = try await AuditEntry.query(on: app.db).all().map { "\($0.action) \($0.before ?? "") \($0.after ?? "")" }
            #expect(audit.contains { $0.hasPrefix("roll.replace") } && audit.contains { $0.hasPrefix("resident.verify") } && audit.contains { $0.hasPrefix("desk.mark") })
        }
    }
}
