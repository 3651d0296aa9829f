@testable import DemilgeApp
import DemilgeCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("Choosing a round's rule with the facts")
struct RuleChoiceTests {
    static let otherElection = """
        META
        key;value
        budget;100
        vote_type;approval
        PROJECTS
        project_id;cost
        a;60
        b;50
        VOTES
        voter_id;vote
        1;a
        2;b
        3;a,b
        """

    static func draft(_ staff: Browser) async throws -> (path: String, round: () async throws -> BudgetRound) {
        try await staff.get("/rounds/new")
        let created = try await staff.post("/rounds", [("title", "Эреже тандалуучу раунд"), ("territory", "KG-GO-manas-ata"), ("envelope", "1 000 000"),
                                                        ("ballot_type", "approval"), ("rule", "greedy_cost_sat"), ("opens_on", "2030-01-01"),
                                                        ("closes_on", "2030-01-10")])
        let path = try #require(created.location)
        let id = try #require(UUID(uuidString: String(path.split(separator: "/").last ?? "")))
        return (path, { try #require(try await BudgetRound.find(id, on: staff.app.db)) })
    }

    /// Each approval rule's outcome on an election: the titles it funds and "with of voters", as the page words them.
    static func expectations(_ instance: BudgetingInstance, titles: [String]) -> [(rule: BudgetingRule, row: (titles: [String], with: Int, reached: String))] {
        BallotType.approval.rules.map { rule in
            let outcome = rule.outcome(instance), measures = OutcomeMeasures(instance, outcome)
            return (rule, (outcome.selected.map { titles[$0] }, measures.votersWithAProject, "\(measures.votersWithAProject) of \(measures.voters)"))
        }
    }

    @Test("the rules compared on a past round of the place and on a file are what each rule decides there, with its measures")
    func compare() async throws {
        try await withDemilge { app in
            let staff = try await Browser(app).signIn("staff.osh@demilge.kg")
            staff.acceptLanguage = "en"
            let (path, _) = try await Self.draft(staff)
            let past = try #require(try await BudgetRound.query(on: app.db).filter(\.$title == BudgetingDemo.publishedTitle).first())
            let pastID = past.idString
            let page = try await staff.get("\(path)/rule")
            #expect(page.status == .ok)
            #expect(page.body.string.contains(#"name="past[]" value="\#(pastID)" checked"#), "the newest past round of the same ballot is ticked")
            #expect(!page.body.string.contains("<table class=\"rules\">"), "nothing is counted until the manager asks")

            let compared = try await staff.postMultipart("\(path)/rule/compare", [("past[]", pastID)],
                                                         file: ("file", "other.pb", "text/plain", Array(Self.otherElection.utf8)))
            #expect(compared.status == .ok)
            let body = compared.body.string
            #expect(body.contains("File: other.pb") && body.contains("3 voters, 2 projects"))
            let data = try await RoundData.load(past, on: app.db)
            let expected = Self.expectations(data.instance, titles: data.projects.map(\.title))
            for (rule, row) in expected {
                let name = app.catalog.text("rule.\(rule.rawValue)", .en)
                let found = try #require(body.range(of: "<th scope=\"row\">\(name)"), "\(rule) has a row")
                let cells = String(body[found.upperBound...].prefix(700))
                let funded = cells.range(of: "<td>").flatMap { start in
                    cells[start.upperBound...].range(of: "</td>").map { String(cells[start.upperBound..<$0.lowerBound]) }
                } ?? ""
                #expect(funded.hasPrefix("\(row.titles.count)<"), "\(rule): how many projects it funds")
                for title in row.titles { #expect(funded.contains(title), "\(rule) names what it funds") }
                #expect(cells.contains(row.reached), "\(rule): voters with a project")
            }
            let reached = Dictionary(firstValues: expected.map { ($0.rule, $0.row.with) })
            #expect((reached[.greedyCostSat] ?? 0) < (reached[.mesCostSatAddOneGreedy] ?? 0), "the demo shows the difference the rule makes")
            #expect(body.contains("(now)"), "the round's own rule is marked")
        }
    }

    @Test("a comparison with nothing, too much or a broken file is refused in the reader's language, with the choices kept")
    func compareRefusals() async throws {
        try await withDemilge { app in
            let staff = try await Browser(app).signIn("staff.osh@demilge.kg")
            staff.acceptLanguage = "en"
            let (path, _) = try await Self.draft(staff)
            try await staff.get("\(path)/rule")
            let nothing = try await staff.postMultipart("\(path)/rule/compare", [])
            #expect(nothing.status == .unprocessableEntity && nothing.body.string.contains("Tick a past round or choose a file to compare."))
            let many = (0..<4).map { _ in ("past[]", UUID().uuidString) }
            let tooMany = try await staff.postMultipart("\(path)/rule/compare", many)
            #expect(tooMany.status == .unprocessableEntity && tooMany.body.string.contains("Choose at most 3 past rounds."))
            let unknown = try await staff.postMultipart("\(path)/rule/compare", [("past[]", UUID().uuidString)])
            #expect(unknown.status == .unprocessableEntity)
            let broken = try await staff.postMultipart("\(path)/rule/compare", [], file: ("file", "bad.pb", "text/plain", Array("META\nkey;value\nbudget;x\n".utf8)))
            #expect(broken.status == .unprocessableEntity && broken.body.string.contains("field-error"))
            let pastID = try #require(try await BudgetRound.query(on: app.db).filter(\.$title == BudgetingDemo.publishedTitle).first()).idString
            let keeps = try await staff.postMultipart("\(path)/rule/compare", [("past[]", pastID)],
                                                      file: ("file", "bad.pb", "text/plain", Array("META\nkey;value\nbudget;x\n".utf8)))
            #expect(keeps.status == .unprocessableEntity && keeps.body.string.contains(#"value="\#(pastID)" checked"#), "the round ticked stays ticked")
            let resident = try await Browser(app).signIn("resident.manas-ata@demilge.kg")
            #expect(try await resident.get("\(path)/rule").status == .forbidden)
        }
    }

    @Test("the rule is chosen with a reason before voting opens, audited, and published with the round; after that it is fixed")
    func choose() async throws {
        try await withDemilge { app in
            let staff = try await Browser(app).signIn("staff.osh@demilge.kg")
            staff.acceptLanguage = "en"
            let (path, round) = try await Self.draft(staff)
            try await staff.get("\(path)/rule")
            let short = try await staff.post("\(path)/rule", [("rule", "mes_cost_sat_add1_greedy"), ("reason", "short"), ("version", "1")])
            #expect(short.status == .unprocessableEntity && short.body.string.contains(">short</textarea>"), "what was typed is kept")
            let points = try await staff.post("\(path)/rule", [("rule", "greedy_points"), ("reason", "Points for an approval round"), ("version", "1")])
            #expect(points.status == .unprocessableEntity, "a rule the ballot cannot carry")
            let stale = try await staff.post("\(path)/rule", [("rule", "mes_cost_sat"), ("reason", "From a page opened long ago"), ("version", "7")])
            #expect(stale.status == .conflict)
            let unchanged = try await round()
            #expect(unchanged.rule == .greedyCostSat && unchanged.ruleReason == nil && unchanged.version == 1, "refusals change nothing")

            let reason = "Equal shares gave every meeting its share in 2026: all 60 voters got a project."
            let chosen = try await staff.post("\(path)/rule", [("rule", "mes_cost_sat_add1_greedy"), ("reason", reason), ("version", "1")])
            #expect(chosen.status == .seeOther)
            let saved = try await round()
            #expect(saved.rule == .mesCostSatAddOneGreedy && saved.ruleReason == reason && saved.version == 2)
            let audit = try await AuditEntry.query(on: app.db).filter(\.$action == "round.rule").filter(\.$entityID == saved.idString).all()
            #expect(audit.count == 1)

            for (index, cost) in ["400 000", "300 000"].enumerated() {
                try await staff.get(path)
                #expect(try await staff.post("\(path)/projects", [("title", "Долбоор \(index + 1)"), ("cost", cost)]).status == .seeOther)
            }
            try await staff.get(path)
            let version = String(try await round().version)
            #expect(try await staff.post("\(path)/status", [("status", "voting"), ("version", version)]).status == .seeOther)
            try await staff.get("\(path)/rule")
            let late = try await staff.post("\(path)/rule", [("rule", "greedy_cost_sat"), ("reason", "Changed after voting opened"), ("version", String(try await round().version))])
            #expect(late.status == .conflict && late.body.string.contains("The rule cannot change once voting has opened."))
            #expect(try await round().rule == .mesCostSatAddOneGreedy)

            let visitor = Browser(app)
            visitor.acceptLanguage = "en"
            let published = try await visitor.get(path).body.string
            #expect(published.contains("Why this rule") && published.contains(reason), "the reason is public with the round")
            #expect(!published.contains("/rule\""), "visitors get no link to the managers' comparison")
        }
    }
}
