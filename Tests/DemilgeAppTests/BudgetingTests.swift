@testable import DemilgeApp
import DemilgeCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("Participatory budgeting rounds")
struct BudgetingTests {
    static let today = Day.today()

    /// Staff create a round in Манас-Ата with projects, and open it for voting.
    static func openRound(_ staff: Browser, type: String = "approval", rule: String = "mes_cost_sat_add1_greedy", envelope: String = "1 000 000",
                          costs: [String] = ["400 000", "300 000", "500 000"], extra: [(String, String)] = [],
                          window: (Int, Int) = (-1, 10), eligibility: RoundEligibility = .selfDeclared) async throws -> String {
        try await staff.get("/rounds/new")
        let created = try await staff.post("/rounds", [("title", "Сынак добуш берүү"), ("territory", "KG-GO-manas-ata"), ("envelope", envelope),
                                                        ("ballot_type", type), ("rule", rule),
                                                        ("opens_on", today.adding(days: window.0).description),
                                                        ("closes_on", today.adding(days: window.1).description),
                                                        ("eligibility", eligibility.rawValue)] + extra)
        #expect(created.status == .seeOther, "\(created.body.string.prefix(3000))")
        let path = try #require(created.location)
        for (index, cost) in costs.enumerated() {
            try await staff.get(path)
            #expect(try await staff.post("\(path)/projects", [("title", "Долбоор \(index + 1)"), ("cost", cost)]).status == .seeOther)
        }
        try await staff.get(path)
        #expect(try await staff.post("\(path)/status", [("status", "voting"), ("version", "2")]).status == .seeOther)
        return path
    }

    static func ballots(_ app: Application, _ path: String) async throws -> [BudgetBallot] {
        let id = try #require(UUID(uuidString: String(path.split(separator: "/").last!)))
        return try await BudgetBallot.query(on: app.db).filter(\.$round.$id == id).with(\.$choices).all()
    }

    @Test("the demo: a published round where equal shares funds the women's gym and greedy does not, explained")
    func demo() async throws {
        try await withDemilge { app in
            let round = try #require(try await BudgetRound.query(on: app.db).filter(\.$title == BudgetingDemo.publishedTitle).first())
            let path = "/rounds/\(round.id!.uuidString.lowercased())"
            let resident = try await Browser(app).signIn("resident.manas-ata@demilge.kg")
            resident.acceptLanguage = "en"
            let page = try await resident.get("\(path)/results").body.string
            #expect(page.contains("online 1 · paper 59"), "online and paper ballots are counted separately")
            #expect(page.contains("Why this rule") && page.contains(BudgetingDemo.ruleReason), "the commission's reason is published with the results")
            let gym = try #require(page.range(of: "<td>Аялдар үчүн спорт зал"))
            let row = String(page[gym.lowerBound...].prefix(900))
            #expect(row.contains("<strong>yes</strong>") && row.contains("<td>no</td>"), "funded by equal shares, not by greedy")
            #expect(row.contains("22 supporters"), "the explanation names the supporters who paid")
            #expect(page.contains("Its supporters had only") && page.contains("most on “Сейил бак”"), "a loser's supporters spent their money on the park")
            #expect(page.contains("Of your choices, these are funded:"), "the signed-in voter sees what their ballot funded")

            let data = try await RoundData.load(round, on: app.db)
            let mes = BudgetingRule.mesCostSatAddOneGreedy.outcome(data.instance).selected.map { data.projects[$0].title }
            let greedy = BudgetingRule.greedyCostSat.outcome(data.instance).selected.map { data.projects[$0].title }
            #expect(mes.contains("Аялдар үчүн спорт зал") && !greedy.contains("Аялдар үчүн спорт зал"))
            #expect(Set(greedy) == ["Сейил бак", "Көчө жарыгы", "Отургучтар жана таштанды челектери"])

            // Beside the comparison, how fair each rule is, in words.
            let fair = OutcomeMeasures(data.instance, round.rule.outcome(data.instance))
            #expect(page.contains("How fair each rule is to the voters"))
            #expect(page.contains("\(fair.votersWithAProject) of \(fair.voters) voters got at least one project they voted for"))
            #expect(fair.votersWithAProject > 0 && fair.votersWithAProject <= fair.voters)
        }
    }

    @Test("a published round exports as a pabulib file that reads back to the same election and outcome")
    func exportRoundTrip() async throws {
        try await withDemilge { app in
            let round = try #require(try await BudgetRound.query(on: app.db).filter(\.$title == BudgetingDemo.publishedTitle).first())
            let response = try await Browser(app).get("/rounds/\(round.id!.uuidString.lowercased())/round.pb")
            #expect(response.status == .ok)
            let instance = try PabulibReader.parse(response.body.string)
            let data = try await RoundData.load(round, on: app.db)
            #expect(instance.ballots.count == 60 && instance.budget == Rational(1_500_000))
            #expect(instance.projects.map(\.id) == data.codes)
            for rule in [BudgetingRule.greedyCostSat, .mesCostSatAddOneGreedy] {
                #expect(rule.outcome(instance).selected == rule.outcome(data.instance).selected)
            }
            #expect(response.body.string.contains("selected"))
        }
    }

    @Test("a resident votes, changes the ballot, and sees it; bad ballots are refused in their language and nothing is stored")
    func votingFlow() async throws {
        try await withDemilge { app in
            let staff = try await Browser(app).signIn("staff.osh@demilge.kg")
            let path = try await Self.openRound(staff, extra: [("max_choices", "2")])
            let resident = try await Browser(app).signIn("resident.manas-ata@demilge.kg")
            try await resident.get(path)
            let tooMany = try await resident.post("\(path)/ballot", [("choice[]", "1"), ("choice[]", "2"), ("choice[]", "3")])
            #expect(tooMany.status == .unprocessableEntity)
            #expect(tooMany.body.string.contains("Эң көп дегенде 2 долбоор тандаңыз."))
            #expect(tooMany.body.string.contains(#"value="3" data-cost="50000000" checked"#), "the choices typed are kept")
            #expect(try await Self.ballots(app, path).isEmpty)
            #expect(try await resident.post("\(path)/ballot", [("choice[]", "1"), ("choice[]", "3")]).status == .seeOther)
            try await resident.get(path)
            #expect(try await resident.post("\(path)/ballot", [("choice[]", "2")]).status == .seeOther)
            let stored = try await Self.ballots(app, path)
            #expect(stored.count == 1 && stored[0].choices.count == 1, "changing replaces the ballot")
            #expect(try await resident.get(path).body.string.contains(#"value="2" data-cost="30000000" checked"#))

            let stranger = try await Browser(app).signIn("facilitator.nookat@demilge.kg")
            stranger.acceptLanguage = "ru"
            try await stranger.get(path)
            let refused = try await stranger.post("\(path)/ballot", [("choice[]", "1")])
            #expect(refused.status == .forbidden && refused.body.string.contains("Голосовать могут только зарегистрированные жители"))
            #expect(try await Browser(app).post("\(path)/ballot", [("choice[]", "1")], csrf: false).status.code >= 400, "visitors cannot vote")
            #expect(try await Self.ballots(app, path).count == 1)
        }
    }

    @Test("ballots are taken only within the voting window and while the round is in voting")
    func votingWindow() async throws {
        try await withDemilge { app in
            let staff = try await Browser(app).signIn("staff.osh@demilge.kg")
            let early = try await Self.openRound(staff, window: (3, 10))
            let resident = try await Browser(app).signIn("resident.manas-ata@demilge.kg")
            try await resident.get(early)
            let notYet = try await resident.post("\(early)/ballot", [("choice[]", "1")])
            #expect(notYet.status == .conflict && notYet.body.string.contains("Добуш берүү азыр жүрбөй жатат"))

            let open = try await Self.openRound(staff)
            try await resident.get(open)
            #expect(try await resident.post("\(open)/ballot", [("choice[]", "1")]).status == .seeOther)
            try await staff.get(open)
            #expect(try await staff.post("\(open)/status", [("status", "counting"), ("version", "2")]).status == .conflict, "a stale version is refused")
            #expect(try await staff.post("\(open)/status", [("status", "published"), ("version", "3")]).status == .unprocessableEntity, "no skipping stages")
            #expect(try await staff.post("\(open)/status", [("status", "counting"), ("version", "3")]).status == .seeOther)
            try await resident.get(open)
            #expect(try await resident.post("\(open)/ballot", [("choice[]", "2")]).status == .conflict)
            #expect(try await Self.ballots(app, open).first?.choices.count == 1)
            #expect(try await Browser(app).get("\(open)/results").status == .notFound, "results are not public before publication")
            #expect(try await staff.get("\(open)/results").status == .ok, "staff preview them while counting")
        }
    }

    @Test("parallel ballots from one voter store exactly one ballot")
    func concurrentBallots() async throws {
        try await withDemilge { app in
            let staff = try await Browser(app).signIn("staff.osh@demilge.kg")
            let path = try await Self.openRound(staff)
            let resident = try await Browser(app).signIn("resident.manas-ata@demilge.kg")
            try await resident.get(path)
            let token = try #require(resident.csrf)
            let cookie = resident.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for code in ["1", "2", "3", "1", "2", "3"] {
                    group.addTask {
                        let response = try await app.testing().sendRequest(.POST, "\(path)/ballot",
                            headers: ["Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"],
                            body: ByteBuffer(string: "_csrf=\(token)&choice%5B%5D=\(code)"))
                        if response.status == .internalServerError { print("BODY500", response.body.string.prefix(300)) }
                        return response.status
                    }
                }
                return try await group.reduce(into: [HTTPStatus]()) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == .seeOther || $0 == .conflict }, "\(statuses)")
            let stored = try await Self.ballots(app, path)
            #expect(stored.count == 1)
            #expect(stored.first?.choices.count == 1)
        }
    }

    @Test("knapsack: a ballot over the envelope is refused and the page says by how much; one that fits is taken")
    func knapsack() async throws {
        try await withDemilge { app in
            let staff = try await Browser(app).signIn("staff.osh@demilge.kg")
            let path = try await Self.openRound(staff, type: "knapsack", envelope: "800 000")
            let resident = try await Browser(app).signIn("resident.manas-ata@demilge.kg")
            try await resident.get(path)
            let over = try await resident.post("\(path)/ballot", [("choice[]", "1"), ("choice[]", "3")])
            #expect(over.status == .unprocessableEntity)
            #expect(over.body.string.contains("900\u{00A0}000 сом турат") && over.body.string.contains("100\u{00A0}000 сом ашык"))
            #expect(over.body.string.contains(#"id="remaining" class="overdue">−100\u{00A0}000 сом"#) || over.body.string.contains("-100\u{00A0}000 сом"),
                    "the remaining budget is shown without JavaScript")
            #expect(try await Self.ballots(app, path).isEmpty)
            #expect(try await resident.post("\(path)/ballot", [("choice[]", "1"), ("choice[]", "2")]).status == .seeOther)
        }
    }

    @Test("cumulative ballots must distribute exactly the points")
    func cumulative() async throws {
        try await withDemilge { app in
            let staff = try await Browser(app).signIn("staff.osh@demilge.kg")
            let path = try await Self.openRound(staff, type: "cumulative", rule: "greedy_points", extra: [("points_total", "10")])
            let resident = try await Browser(app).signIn("resident.manas-ata@demilge.kg")
            try await resident.get(path)
            let short = try await resident.post("\(path)/ballot", [("points_1", "6"), ("points_2", "3")])
            #expect(short.status == .unprocessableEntity && short.body.string.contains("10 упайдын баарын бөлүштүрүңүз (азыр 9)"))
            #expect(try await resident.post("\(path)/ballot", [("points_1", "6"), ("points_2", "4")]).status == .seeOther)
            #expect(try await Self.ballots(app, path).first?.choices.map(\.points).sorted() == [4, 6])
        }
    }

    @Test("paper ballots count only when two entries agree; mismatches are shown for correction")
    func paperDoubleEntry() async throws {
        try await withDemilge { app in
            let staff = try await Browser(app).signIn("staff.osh@demilge.kg")
            let path = try await Self.openRound(staff)
            try await staff.get("\(path)/paper")
            let bad = try await staff.post("\(path)/paper", [("label", "Жыйын 1"), ("ballots", "1, 2\n7\n")])
            #expect(bad.status == .unprocessableEntity && bad.body.string.contains("2-сап: 7 номерлүү долбоор жок."))
            #expect(bad.body.string.contains("1, 2\n7"), "what was typed is kept")
            #expect(try await staff.post("\(path)/paper", [("label", "Жыйын 1"), ("ballots", "1, 2\n3\n2, 3")]).status == .seeOther)
            let batch = try #require(try await PaperBatch.query(on: app.db).filter(\.$label == "Жыйын 1").first())
            let batchPath = "\(path)/paper/\(batch.id!.uuidString.lowercased())"
            try await staff.get("\(path)/paper")
            let alone = try await staff.post(batchPath, [("entry", "second"), ("version", "1"), ("ballots", "1, 2\n3\n2, 3")])
            #expect(alone.status == .forbidden && alone.body.string.contains("биринчини киргизген адам эмес"), "one person cannot type both entries")
            #expect(try await Self.ballots(app, path).isEmpty)
            try await makeUser(app, "clerk.osh@demilge.kg", [RoleGrant(.municipalStaff, .territory(try await territoryID(app, "KG-GO")))])
            let clerk = try await Browser(app).signIn("clerk.osh@demilge.kg")
            try await clerk.get("\(path)/paper")
            let second = try await clerk.post(batchPath, [("entry", "second"), ("version", "1"), ("ballots", "1, 2\n1\n3, 2")])
            #expect(second.status == .seeOther, "\(second.body.string.suffix(3000))")
            let mismatch = try await staff.get("\(path)/paper").body.string
            #expect(mismatch.contains("<td>2</td><td>3</td><td>1</td>"), "ballot 2 differs: 3 in the first entry, 1 in the second")
            #expect(try await Self.ballots(app, path).isEmpty, "a mismatched batch does not count")
            #expect(try await clerk.post(batchPath, [("entry", "second"), ("version", "1"), ("ballots", "1, 2\n3\n2, 3")]).status == .conflict, "stale")
            #expect(try await staff.post(batchPath, [("entry", "second"), ("version", "2"), ("ballots", "2,1\n3\n3,2")]).status == .forbidden,
                    "the first entry's author cannot correct the second either")
            #expect(try await clerk.post(batchPath, [("entry", "second"), ("version", "2"), ("ballots", "2,1\n3\n3,2")]).status == .seeOther)
            let counted = try await Self.ballots(app, path)
            #expect(counted.count == 3 && counted.allSatisfy { $0.channel == "paper" })
            #expect(try await clerk.post(batchPath, [("entry", "second"), ("version", "3"), ("ballots", "1")]).status == .conflict, "a counted batch is closed")

            let other = try await Browser(app).signIn("facilitator.nookat@demilge.kg")
            #expect(try await other.get("\(path)/paper").status == .forbidden, "a facilitator of another territory cannot enter ballots here")
        }
    }

    @Test("importing a pabulib file creates a round whose results match pabutools; a malformed file is refused with its line")
    func importPabulib() async throws {
        try await withDemilge { app in
            let name = "Poland_Warszawa_2019_Las"
            let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("shared/pabulib")
            let bytes = try [UInt8](Data(contentsOf: folder.appendingPathComponent("instances/\(name).pb")))
            let staff = try await Browser(app).signIn("staff.osh@demilge.kg")
            try await staff.get("/rounds/import")
            let fields = [("title", "Warszawa 2019, Las"), ("territory", "KG-GO"), ("rule", "greedy_cost_sat"), ("opens_on", "2019-06-01"), ("closes_on", "2019-06-30")]
            let broken = try await staff.postMultipart("/rounds/import", fields, file: ("file", "bad.pb", "text/plain", Array("META\nkey;value\nbudget;x\n".utf8)))
            #expect(broken.status == .unprocessableEntity && broken.body.string.contains("Файл окулбай жатат"))
            #expect(broken.body.string.contains("Warszawa 2019, Las"))
            #expect(try await BudgetRound.query(on: app.db).filter(\.$imported == true).count() == 0)

            let imported = try await staff.postMultipart("/rounds/import", fields, file: ("file", "\(name).pb", "text/plain", bytes))
            #expect(imported.status == .seeOther)
            let round = try #require(try await BudgetRound.query(on: app.db).filter(\.$imported == true).first())
            #expect(round.status == .counting)
            let data = try await RoundData.load(round, on: app.db)
            #expect(data.ballots.count == 127 && data.count(.imported) == 127)
            let truth = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("truth/\(name).json"))) as! [String: Any]
            let expected = ((truth["rules"] as! [String: Any])["greedy_cost_sat"] as! [String: Any])["winners"] as! [String]
            #expect(BudgetingRule.greedyCostSat.outcome(data.instance).selected.map { data.codes[$0] } == expected)
            let results = try await staff.get("/rounds/\(round.id!.uuidString.lowercased())/results")
            #expect(results.status == .ok)

            let resident = try await Browser(app).signIn("resident.manas-ata@demilge.kg")
            #expect(try await resident.get("/rounds/import").status == .forbidden)
        }
    }

    @Test("projects: only staff of the territory add them, within the envelope, before voting")
    func projects() async throws {
        try await withDemilge { app in
            let staff = try await Browser(app).signIn("staff.osh@demilge.kg")
            let path = try await Self.openRound(staff)
            try await staff.get(path)
            let late = try await staff.post("\(path)/projects", [("title", "Кеч калган долбоор"), ("cost", "100")])
            #expect(late.status == .conflict && late.body.string.contains("Кеч калган долбоор"))
            try await staff.get("/rounds/new")
            let created = try await staff.post("/rounds", [("title", "Жаңы раунд"), ("territory", "KG-GO-manas-ata"), ("envelope", "100 000"), ("ballot_type", "approval"),
                                                            ("rule", "greedy_cost_sat"), ("opens_on", "2030-01-01"), ("closes_on", "2030-01-10")])
            let fresh = try #require(created.location)
            try await staff.get(fresh)
            let tooDear = try await staff.post("\(fresh)/projects", [("title", "Кымбат долбоор"), ("cost", "150 000")])
            #expect(tooDear.status == .unprocessableEntity && tooDear.body.string.contains("Кымбат долбоор"))
            let other = try await Browser(app).signIn("facilitator.nookat@demilge.kg")
            try await other.get(fresh)
            #expect(try await other.post("\(fresh)/projects", [("title", "Бөтөн долбоор"), ("cost", "100")]).status == .forbidden)
            try await other.get("/rounds/new")
            let foreign = try await other.post("/rounds", [("title", "Бөтөн раунд"), ("territory", "KG-GO-manas-ata"), ("envelope", "100 000"), ("ballot_type", "approval"),
                                                           ("rule", "greedy_cost_sat"), ("opens_on", "2030-01-01"), ("closes_on", "2030-01-10")])
            #expect(foreign.status == .forbidden)
            #expect(try await BudgetProject.query(on: app.db).filter(\.$title ~~ ["Кымбат долбоор", "Бөтөн долбоор", "Кеч калган долбоор"]).count() == 0)
        }
    }
}
