@testable import DemilgeApp
import DemilgeCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("Commissions and joint action plans")
struct CommissionTests {
    @Test("the demo: Манас-Ата's session, priority list, a commission of seed 000's composition and its action plan")
    func demo() async throws {
        try await withDemilge { app in
            let session = try #require(try await AssessmentSession.query(on: app.db).with(\.$territory).with(\.$groups).first())
            #expect(session.territory.code == "KG-GO-manas-ata")
            #expect(Set(session.groups.map(\.kind.rawValue)) == ["women", "men", "youth", "elders", "disabilities"])
            let page = try await app.testing().sendRequest(.GET, "/assessments/\(session.id!.uuidString.lowercased())").body.string
            let water = try #require(page.range(of: "Конуштун жарымына ичүүчү суу түтүгү тартылган эмес"))
            let road = try #require(page.range(of: ">Негизги көчө асфальтталган эмес<"))
            #expect(water.lowerBound < road.lowerBound, "water tops the list")
            #expect(page.contains("Медпунктка майыптыгы бар адамдар үчүн пандус жок"))

            let commission = try #require(try await Commission.query(on: app.db).with(\.$members).with(\.$measures).first())
            #expect(Set(commission.members.map(\.affiliation)) == ["initiative_group", "territorial_administration", "mayors_office"])
            #expect(commission.measures.count == 5)
            let plan = try await app.testing().sendRequest(.GET, "/commissions/\(commission.id!.uuidString.lowercased())").body.string
            #expect(plan.contains("Ош шаарынын мэриясынын өкүлү") && plan.contains("Негизги түтүктү 1,2 км тартуу"))
            #expect(plan.contains("1\u{00A0}450\u{00A0}000 сом"))
            #expect(plan.contains("мөөнөтү өттү"), "2022 deadlines of open measures are overdue today")
            let csv = try await app.testing().sendRequest(.GET, "/commissions/\(commission.id!.uuidString.lowercased())/plan.csv").body.string
            #expect(csv.contains(",1450000.00,grant,in_progress,60,yes"))
        }
    }

    @Test("municipal staff create a commission, add members, record a meeting choosing the main problem, plan and report progress")
    func flow() async throws {
        try await withDemilge { app in
            let staff = try await Browser(app).signIn("staff.osh@demilge.kg")
            try await staff.get("/commissions/new")
            let created = try await staff.post("/commissions", [("name", "Алай 2 жамаатынын комиссиясы"), ("territory", "KG-GO-alay-2")])
            #expect(created.status == .seeOther)
            let path = try #require(created.location)
            try await staff.get(path)
            #expect(try await staff.post("\(path)/members", [("name", "Бактыгүл Ж."), ("affiliation", "initiative_group"), ("position", "активист")]).status == .seeOther)
            let badMember = try await staff.post("\(path)/members", [("name", "Б"), ("affiliation", "nobody")])
            #expect(badMember.status == .unprocessableEntity)

            let problemID = try await ProblemTests.raise(try await Browser(app).signIn("resident.manas-ata@demilge.kg"), title: "Алай 2де мектепке жол жок", territory: "KG-GO-alay-2", category: "roads")
            try await staff.get(path)
            let noReason = try await staff.post("\(path)/meetings", [("held_on", "2024-05-10"), ("present", "5"), ("minutes", "Жамаат чогулду, көйгөйлөрдү карады."), ("problem", problemID)])
            #expect(noReason.status == .unprocessableEntity && noReason.body.string.contains("Жамаат чогулду"))
            let meeting = try await staff.post("\(path)/meetings", [("held_on", "2024-05-10"), ("present", "5"), ("minutes", "Жамаат чогулду, көйгөйлөрдү карады."),
                                                                    ("problem", problemID), ("reason", "Балдардын коопсуздугу биринчи орунда")])
            #expect(meeting.status == .seeOther)
            let problem = try #require(try await Problem.find(UUID(uuidString: problemID), on: app.db))
            #expect(problem.status == .prioritised, "the chosen problem becomes prioritised")

            try await staff.get(path)
            let badMoney = try await staff.post("\(path)/measures", [("problem", problemID), ("description", "Жол салуу"), ("responsible", "Мэрия"), ("deadline", "2030-01-01"), ("amount", "12,345"), ("source", "local_budget")])
            #expect(badMoney.status == .unprocessableEntity && badMoney.body.string.contains("Сумманы сом менен жазыңыз"))
            #expect(badMoney.body.string.contains("value=\"12,345\""))
            let notChosen = try await staff.post("\(path)/measures", [("problem", UUID().uuidString.lowercased()), ("description", "Жол салуу"), ("responsible", "Мэрия"), ("deadline", "2030-01-01"), ("amount", "100"), ("source", "grant")])
            #expect(notChosen.status == .unprocessableEntity)
            #expect(try await staff.post("\(path)/measures", [("problem", problemID), ("description", "Жол салуу"), ("responsible", "Мэрия"), ("deadline", "2030-01-01"), ("amount", "250 000,50"), ("source", "local_budget")]).status == .seeOther)
            let measure = try #require(try await ActionMeasure.query(on: app.db).filter(\.$problem.$id == problem.id!).first())
            #expect(measure.plannedTyiyn == 25_000_050, "money is stored exactly in tyiyn")

            try await staff.get(path)
            #expect(try await staff.post("\(path)/measures/\(measure.id!.uuidString)", [("status", "in_progress"), ("progress", "140"), ("version", "1")]).status == .unprocessableEntity)
            #expect(try await staff.post("\(path)/measures/\(measure.id!.uuidString)", [("status", "in_progress"), ("progress", "40"), ("version", "1")]).status == .seeOther)
            let stale = try await staff.post("\(path)/measures/\(measure.id!.uuidString)", [("status", "done"), ("progress", "100"), ("version", "1")])
            #expect(stale.status == .conflict)
            let saved = try #require(try await ActionMeasure.find(measure.id, on: app.db))
            #expect(saved.status.rawValue == "in_progress" && saved.progress == 40)
            let page = try await Browser(app).get(path).body.string
            #expect(page.contains("Балдардын коопсуздугу биринчи орунда") && page.contains("250\u{00A0}000,50 сом") && page.contains("40\u{00A0}%"), "a Kyrgyz percentage has a no-break space before %")
        }
    }

    @Test("without the role for the place, every commission action is refused and nothing changes")
    func refused() async throws {
        try await withDemilge { app in
            let commission = try #require(try await Commission.query(on: app.db).with(\.$measures).first())
            let path = "/commissions/\(commission.id!.uuidString.lowercased())"
            let measure = try #require(commission.measures.first)
            let before = try await Snapshot.take(app.db)
            let counts = { (db: any Database) async throws -> [Int] in
                [try await CommissionMember.query(on: db).count(), try await CommissionMeeting.query(on: db).count(), try await ActionMeasure.query(on: db).count()]
            }
            let rows = try await counts(app.db)
            for email in ["resident.manas-ata@demilge.kg", "facilitator.nookat@demilge.kg", "manager.alert@demilge.kg"] {
                let browser = try await Browser(app).signIn(email)
                try await browser.get(path)
                #expect(try await browser.post("\(path)/members", [("name", "Кимдир бирөө"), ("affiliation", "other")]).status == .forbidden, "\(email)")
                #expect(try await browser.post("\(path)/meetings", [("held_on", "2024-01-01"), ("present", "3"), ("minutes", "Отурум болду")]).status == .forbidden)
                #expect(try await browser.post("\(path)/measures", [("problem", ""), ("description", "Бир иш"), ("responsible", "Ким"), ("deadline", "2030-01-01"), ("amount", "1"), ("source", "grant")]).status == .forbidden)
                #expect(try await browser.post("\(path)/measures/\(measure.id!.uuidString)", [("status", "done"), ("progress", "100"), ("version", "1")]).status == .forbidden)
                try await browser.get("/commissions/new")
                #expect(try await browser.post("/commissions", [("name", "Жаңы комиссия"), ("territory", "KG-GO-alay-1")]).status == .forbidden)
            }
            #expect(try await Snapshot.take(app.db) == before)
            #expect(try await counts(app.db) == rows)
        }
    }
}
