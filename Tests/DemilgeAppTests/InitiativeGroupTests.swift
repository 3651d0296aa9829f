@testable import DemilgeApp
import DemilgeCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("Initiative groups")
struct InitiativeGroupTests {
    @Test("a resident starts a group and coordinates it: requests are approved, invitations accepted, others cannot manage it")
    func lifecycle() async throws {
        try await withDemilge { app in
            let founder = try await Browser(app).signIn("facilitator.nookat@demilge.kg")
            try await founder.get("/groups/new")
            let bad = try await founder.post("/groups", [("name", "ДТ"), ("focus", "суу"), ("territory", "KG-O-nookat-gulistan"), ("sector", "")])
            #expect(bad.status == .unprocessableEntity && bad.body.string.contains("value=\"ДТ\""))
            let created = try await founder.post("/groups", [("name", "Гүлистан жаштары"), ("focus", "Жаштар үчүн спорт аянтча жана жарык"), ("territory", "KG-O-nookat-gulistan"), ("sector", "activist")])
            #expect(created.status == .seeOther)
            let path = try #require(created.location)
            let group = try #require(try await InitiativeGroup.query(on: app.db).filter(\.$name == "Гүлистан жаштары").with(\.$memberships).first())
            #expect(group.memberships.count == 1 && group.memberships[0].status == .member)

            let resident = try await Browser(app).signIn("resident.manas-ata@demilge.kg")
            try await resident.get(path)
            #expect(try await resident.post("\(path)/join", [("sector", "citizen")]).status == .seeOther)
            let twice = try await resident.post("\(path)/join", [("sector", "citizen")])
            #expect(twice.status == .unprocessableEntity && twice.body.string.contains("Бул адам буга чейин эле топто же кезекте турат."))
            let request = try #require(try await GroupMembership.query(on: app.db).filter(\.$group.$id == group.id!).filter(\.$status == .requested).first())
            #expect(!(try await Browser(app).get(path).body.string.contains("Нурлан Асанов")), "a request is not membership yet")

            // Only the coordinator (or municipal staff of the place, or an administrator) decides.
            let outsider = try await Browser(app).signIn("manager.alert@demilge.kg")
            try await outsider.get(path)
            #expect(try await outsider.post("\(path)/members/\(request.id!.uuidString)/approve", []).status == .forbidden)
            #expect(try await outsider.post("\(path)/invitations", [("email", "admin@demilge.kg"), ("sector", "official")]).status == .forbidden)
            #expect(try await GroupMembership.find(request.id, on: app.db)?.status == .requested)

            try await founder.get(path)
            #expect(try await founder.post("\(path)/members/\(request.id!.uuidString)/approve", []).status == .seeOther)
            #expect(try await Browser(app).get(path).body.string.contains("Нурлан Асанов"))

            let unknown = try await founder.post("\(path)/invitations", [("email", "nobody@example.kg"), ("sector", "business")])
            #expect(unknown.status == .unprocessableEntity && unknown.body.string.contains("Мындай почта менен катталган колдонуучу жок."))
            #expect(try await founder.post("\(path)/invitations", [("email", "staff.osh@demilge.kg"), ("sector", "official")]).status == .seeOther)
            let invited = try await Browser(app).signIn("staff.osh@demilge.kg")
            let page = try await invited.get(path).body.string
            #expect(page.contains("чакырылган"))
            #expect(try await invited.post("\(path)/accept", []).status == .seeOther)
            let members = try await GroupMembership.query(on: app.db).filter(\.$group.$id == group.id!).all()
            #expect(members.filter { $0.status == .member }.count == 3)
            #expect(Set(members.map(\.sector)) == ["activist", "citizen", "official"])
            let coordinatorRow = try #require(members.first { $0.$user.id == group.$coordinator.id })
            #expect(try await founder.post("\(path)/members/\(coordinatorRow.id!.uuidString)/remove", []).status == .forbidden, "the coordinator stays")
            #expect(try await AuditEntry.query(on: app.db).filter(\.$entityType == "group").filter(\.$entityID == group.id!.uuidString.lowercased()).count() == 5)
        }
    }

    @Test("a member raises a problem on behalf of their group; someone else's group is refused")
    func raiseForGroup() async throws {
        try await withDemilge { app in
            let group = try #require(try await InitiativeGroup.query(on: app.db).first())
            let groupID = group.id!.uuidString.lowercased()
            let member = try await Browser(app).signIn("resident.manas-ata@demilge.kg")
            try await member.get("/problems/new")
            #expect(member.lastBody.contains("Манас-Ата демилгелүү тобу"))
            let raised = try await member.postMultipart("/problems", [("title", "Мектепке баруучу жолдо жаяке жол жок"), ("description", "Балдар унаалар менен бир жолдон жүрүшөт."),
                                                                      ("category", "roads"), ("territory", "KG-GO-manas-ata"), ("group", groupID)])
            #expect(raised.status == .seeOther)
            let page = try await Browser(app).get(try #require(raised.location)).body.string
            #expect(page.contains("Демилгелүү топ көтөргөн:") && page.contains("/groups/\(groupID)"))

            let outsider = try await Browser(app).signIn("facilitator.nookat@demilge.kg")
            try await outsider.get("/problems/new")
            let before = try await Problem.query(on: app.db).count()
            let refused = try await outsider.postMultipart("/problems", [("title", "Башка топтун атынан көйгөй"), ("description", "Бул топтун мүчөсү эмесмин."),
                                                                         ("category", "other"), ("territory", "KG-GO-manas-ata"), ("group", groupID)])
            #expect(refused.status == .unprocessableEntity && refused.body.string.contains("Сиз бул топтун мүчөсү эмессиз."))
            #expect(try await Problem.query(on: app.db).count() == before)
        }
    }

    @Test("visitors see groups but cannot create or join one")
    func visitors() async throws {
        try await withDemilge { app in
            let group = try #require(try await InitiativeGroup.query(on: app.db).first())
            let page = try await app.testing().sendRequest(.GET, "/groups/\(group.id!.uuidString.lowercased())").body.string
            #expect(page.contains("Манас-Ата демилгелүү тобу") && page.contains("Координатор"))
            #expect(!page.contains("@demilge.kg"), "no contact data")
            let visitor = Browser(app)
            #expect(try await visitor.get("/groups/new").location?.hasPrefix("/signin") == true)
            try await visitor.get("/signin")
            #expect(try await visitor.post("/groups/\(group.id!.uuidString.lowercased())/join", [("sector", "citizen")]).status == .unauthorized)
        }
    }
}
