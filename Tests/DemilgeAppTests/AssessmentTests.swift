@testable import DemilgeApp
import DemilgeCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("Needs assessments")
struct AssessmentTests {
    /// Creates a session in Гүлистан as the Ноокат facilitator and returns its id.
    static func session(_ browser: Browser, territory: String = "KG-O-nookat-gulistan") async throws -> String {
        try await browser.get("/assessments/new")
        let response = try await browser.post("/assessments", [("territory", territory), ("held_on", "2024-11-28"),
                                                               ("place", "Гүлистан мектеби"), ("facilitators", "Айгүл Н., Бакыт Т.")])
        #expect(response.status == .seeOther, "session: \(response.status)")
        return String(try #require(response.location?.split(separator: "/").last))
    }

    static func addGroup(_ browser: Browser, _ session: String, kind: String, label: String = "", counts: [(String, String)]) async throws -> String {
        try await browser.get("/assessments/\(session)")
        let response = try await browser.post("/assessments/\(session)/groups", [("kind", kind), ("label", label)] + counts)
        #expect(response.status == .seeOther, "group: \(response.status)")
        let parts = try #require(response.location).split(separator: "/")
        return String(parts[parts.count - 2])
    }

    static func problem(_ app: Application, _ title: String, territory: String = "KG-O-nookat-gulistan") async throws -> UUID {
        let id = try #require(try await Territory.query(on: app.db).filter(\.$code == territory).first()?.id)
        let problem = Problem(title: title, description: "Жамаат айткан көйгөй", category: .water, territoryID: id, authorID: nil)
        try await problem.create(on: app.db)
        return problem.id!
    }

    @Test("a facilitator records a session in their territory; elsewhere, or without a role, it is refused and nothing changes")
    func createScope() async throws {
        try await withDemilge { app in
            let facilitator = try await Browser(app).signIn("facilitator.nookat@demilge.kg")
            _ = try await Self.session(facilitator)
            try await facilitator.get("/assessments/new")
            let before = try await AssessmentSession.query(on: app.db).count()
            let elsewhere = try await facilitator.post("/assessments", [("territory", "KG-O-ozgon-jazy"), ("held_on", "2024-11-21"), ("place", "Жазы"), ("facilitators", "Айгүл")])
            #expect(elsewhere.status == .forbidden)
            #expect(elsewhere.body.string.contains("Бул аймакта сессия каттоого укугуңуз жок.") && elsewhere.body.string.contains("value=\"Жазы\""))
            let resident = try await Browser(app).signIn("resident.manas-ata@demilge.kg")
            try await resident.get("/assessments/new")
            #expect(try await resident.post("/assessments", [("territory", "KG-GO-manas-ata"), ("held_on", "2024-11-21"), ("place", "Мектеп"), ("facilitators", "Нурлан")]).status == .forbidden)
            let badDate = try await facilitator.post("/assessments", [("territory", "KG-O-nookat-gulistan"), ("held_on", "2024-02-30"), ("place", "Мектеп"), ("facilitators", "Айгүл")])
            #expect(badDate.status == .unprocessableEntity && badDate.body.string.contains("Күндү туура жазыңыз"))
            #expect(try await AssessmentSession.query(on: app.db).count() == before)
        }
    }

    @Test("focus groups record participants by sex and age; bad counts are explained and kept")
    func groups() async throws {
        try await withDemilge { app in
            let facilitator = try await Browser(app).signIn("facilitator.nookat@demilge.kg")
            let session = try await Self.session(facilitator)
            _ = try await Self.addGroup(facilitator, session, kind: "women", counts: [("female_18_29", "5"), ("female_30_59", "7"), ("female_60p", "2")])
            try await facilitator.get("/assessments/\(session)")
            let bad = try await facilitator.post("/assessments/\(session)/groups", [("kind", "men"), ("male_18_29", "бeш"), ("male_30_59", "4")])
            #expect(bad.status == .unprocessableEntity && bad.body.string.contains("0дөн 10 000ге чейинки бүтүн сан"))
            #expect(bad.body.string.contains("value=\"4\""))
            let empty = try await facilitator.post("/assessments/\(session)/groups", [("kind", "men")])
            #expect(empty.status == .unprocessableEntity && empty.body.string.contains("Катышуучулардын санын жазыңыз."))
            let unnamed = try await facilitator.post("/assessments/\(session)/groups", [("kind", "custom"), ("male_18_29", "3")])
            #expect(unnamed.status == .unprocessableEntity)
            let groups = try await FocusGroup.query(on: app.db).filter(\.$session.$id == UUID(uuidString: session)!).all()
            #expect(groups.count == 1)
            #expect(groups[0].participants.total == 14 && groups[0].participants[.female, .from30to59] == 7)
            let page = try await Browser(app).get("/assessments/\(session)").body.string
            #expect(page.contains("<td><strong>14</strong></td>"))
        }
    }

    @Test("rankings from paper: ties, problems written on the spot, each group weighing the same, shown side by side")
    func priorities() async throws {
        try await withDemilge { app in
            let water = try await Self.problem(app, "Ичүүчү суу жетишсиз")
            let road = try await Self.problem(app, "Жол бузулган")
            let school = try await Self.problem(app, "Мектепте орун жок")
            let facilitator = try await Browser(app).signIn("facilitator.nookat@demilge.kg")
            let session = try await Self.session(facilitator)
            let women = try await Self.addGroup(facilitator, session, kind: "women", counts: [("female_30_59", "30")])
            let elders = try await Self.addGroup(facilitator, session, kind: "elders", counts: [("male_60p", "4"), ("female_60p", "2")])

            try await facilitator.get("/assessments/\(session)/groups/\(women)/ranking")
            let bad = try await facilitator.post("/assessments/\(session)/groups/\(women)/ranking", [("place_\(water.uuidString.lowercased())", "0"), ("place_\(road.uuidString.lowercased())", "2")])
            #expect(bad.status == .unprocessableEntity && bad.body.string.contains("Орун 1ден 30га чейинки бүтүн сан болушу керек."))
            #expect(bad.body.string.contains("value=\"2\""))
            let none = try await facilitator.post("/assessments/\(session)/groups/\(women)/ranking", [])
            #expect(none.status == .unprocessableEntity)
            #expect(try await FocusGroupRanking.query(on: app.db).filter(\.$group.$id == UUID(uuidString: women)!).count() == 0)

            // Women: school 1, water and road tied at 2.
            try await facilitator.post("/assessments/\(session)/groups/\(women)/ranking", [
                ("place_\(school.uuidString.lowercased())", "1"), ("place_\(water.uuidString.lowercased())", "2"), ("place_\(road.uuidString.lowercased())", "2"),
            ])
            // Six elders: water first, and a problem written down on the spot second.
            try await facilitator.get("/assessments/\(session)/groups/\(elders)/ranking")
            let saved = try await facilitator.post("/assessments/\(session)/groups/\(elders)/ranking", [
                ("place_\(water.uuidString.lowercased())", "1"),
                ("new_title_1", "Медпунктка пандус жок"), ("new_category_1", "health"), ("new_place_1", "2"),
            ])
            #expect(saved.status == .seeOther)
            let ramp = try #require(try await Problem.query(on: app.db).filter(\.$title == "Медпунктка пандус жок").first())
            #expect(ramp.$author.id == nil && ramp.description.contains("ЖМБА-сессиясында жазылды"))

            // women: school 3/6, water 1.5/6, road 1.5/6; elders: water 2/3, ramp 1/3.
            // water = 1/4 + 2/3 = 11/12; school = 1/2; ramp = 1/3; road = 1/4.
            let page = try await Browser(app).get("/assessments/\(session)").body.string
            let order = ["Ичүүчү суу жетишсиз", "Мектепте орун жок", "Медпунктка пандус жок", "Жол бузулган"].compactMap { page.range(of: ">\($0)</a>")?.lowerBound }
            #expect(order.count == 4 && order == order.sorted(), "water (91.7) > school (50.0) > ramp (33.3) > road (25.0)")
            #expect(page.contains("<td>91.7</td>") && page.contains("<td>25.0</td>"))
            #expect(page.contains("бир гана топ атады"), "the ramp was named by the elders only")
            #expect(page.contains("Тизме кантип эсептелет"))
            let russian = try await app.testing().sendRequest(.GET, "/assessments/\(session)", headers: ["Cookie": "lang=ru"]).body.string
            #expect(russian.contains("каждая группа раздаёт ровно 100 баллов"))

            let json = try await app.testing().sendRequest(.GET, "/assessments/\(session)/priorities.json")
            let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.body.readableBytesView)) as? [[String: Any]])
            #expect(rows.first?["title"] as? String == "Ичүүчү суу жетишсиз" && rows.first?["points_per100"] as? String == "91.7")
            let csv = try await app.testing().sendRequest(.GET, "/assessments.csv").body.string
            #expect(csv.contains("female_30_59") && csv.contains(",36\r\n"), "participants in the export, no names")

            // Re-entering replaces the group's ranking.
            try await facilitator.get("/assessments/\(session)/groups/\(women)/ranking")
            try await facilitator.post("/assessments/\(session)/groups/\(women)/ranking", [("place_\(road.uuidString.lowercased())", "1")])
            #expect(try await FocusGroupRanking.query(on: app.db).filter(\.$group.$id == UUID(uuidString: women)!).count() == 1)
        }
    }

    @Test("only a facilitator or municipal staff of the place can add groups and rankings")
    func rankingScope() async throws {
        try await withDemilge { app in
            let facilitator = try await Browser(app).signIn("facilitator.nookat@demilge.kg")
            let session = try await Self.session(facilitator)
            let group = try await Self.addGroup(facilitator, session, kind: "youth", counts: [("male_u18", "3")])
            let before = try await Snapshot.take(app.db)
            for email in ["resident.manas-ata@demilge.kg", "staff.osh@demilge.kg"] {
                let other = try await Browser(app).signIn(email)
                try await other.get("/account")
                #expect(try await other.get("/assessments/\(session)/groups/\(group)/ranking").status == .forbidden)
                #expect(try await other.post("/assessments/\(session)/groups", [("kind", "men"), ("male_30_59", "3")]).status == .forbidden)
                #expect(try await other.post("/assessments/\(session)/groups/\(group)/ranking", [("new_title_1", "Бир нерсе болду"), ("new_category_1", "other"), ("new_place_1", "1")]).status == .forbidden)
            }
            #expect(try await Snapshot.take(app.db) == before)
            #expect(try await FocusGroup.query(on: app.db).filter(\.$session.$id == UUID(uuidString: session)!).count() == 1)
        }
    }
}
