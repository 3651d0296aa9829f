@testable import DemilgeApp
import DemilgeCore
import Fluent
import SQLKit
import Testing
import Vapor
import VaporTesting

@Suite("Administration")
struct AdminTests {
    @Test("an administrator grants a territorial role and revokes it, each audited")
    func rolesGrantRevoke() async throws {
        try await withDemilge { app in
            let admin = try await Browser(app).signIn("admin@demilge.kg")
            let user = try #require(try await User.query(on: app.db).filter(\.$email == "resident.manas-ata@demilge.kg").first())
            let page = "/admin/users/\(user.id!.uuidString)"
            try await admin.get(page)
            let granted = try await admin.post("\(page)/roles", [("role", "facilitator"), ("scope", "territory"), ("territory", "KG-O-ozgon")])
            #expect(granted.status == .seeOther)
            let roles = try await RoleAssignment.query(on: app.db).filter(\.$user.$id == user.id!).all()
            let facilitator = try #require(roles.first { $0.role == "facilitator" })
            #expect(try await Territory.find(facilitator.$territory.id, on: app.db)?.code == "KG-O-ozgon")

            let shown = try await admin.get(page).body.string
            #expect(shown.contains("фасилитатор — Өзгөн району"))
            let again = try await admin.post("\(page)/roles", [("role", "facilitator"), ("scope", "territory"), ("territory", "KG-O-ozgon")])
            #expect(again.status == .unprocessableEntity && again.body.string.contains("Бул колдонуучуда мындай роль бар."))
            let adminScoped = try await admin.post("\(page)/roles", [("role", "administrator"), ("scope", "territory"), ("territory", "KG-O")])
            #expect(adminScoped.status == .unprocessableEntity)

            try await admin.get(page)
            let revoked = try await admin.post("\(page)/roles/\(facilitator.id!.uuidString)/revoke", [])
            #expect(revoked.status == .seeOther)
            #expect(try await RoleAssignment.find(facilitator.id, on: app.db) == nil)
            let actions = try await AuditEntry.query(on: app.db).filter(\.$entityID == user.id!.uuidString.lowercased()).sort(\.$id).all()
            #expect(actions.suffix(2).map(\.action) == ["role.grant", "role.revoke"])
            #expect(actions.last?.actor.hasPrefix("user:") == true)
            #expect(actions.last?.before?.contains("facilitator") == true)
        }
    }

    @Test("an administrator adds a settlement and renames it; the reform's renames are audited with before and after")
    func addAndRenameTerritory() async throws {
        try await withDemilge { app in
            let admin = try await Browser(app).signIn("admin@demilge.kg")
            try await admin.get("/admin/territories/new")
            let created = try await admin.post("/admin/territories", [("kind", "settlement"), ("parent", "KG-O-ozgon-jazy"), ("name_ky", "Жаңы-Жер"), ("name_ru", "Джаны-Джер"), ("name_en", "Jangy-Jer")])
            #expect(created.status == .seeOther)
            #expect(created.location == "/territories/KG-O-ozgon-jazy-jangy-jer")
            let territory = try #require(try await Territory.query(on: app.db).filter(\.$code == "KG-O-ozgon-jazy-jangy-jer").first())

            let wrongParent = try await admin.post("/admin/territories", [("kind", "raion"), ("parent", "KG-O-ozgon-jazy"), ("name_ky", "Туура эмес")])
            #expect(wrongParent.status == .unprocessableEntity)
            #expect(wrongParent.body.string.contains("Бул түрдөгү аймак мындай аймактын ичинде боло албайт"))
            #expect(wrongParent.body.string.contains("value=\"Туура эмес\""))

            try await admin.get("/admin/territories/\(territory.code)/edit")
            let staleToken = admin.csrf
            let renamed = try await admin.post("/admin/territories/\(territory.code)", [("kind", "settlement"), ("parent", "KG-O-ozgon-jazy"), ("name_ky", "Жаңы-Жер 2"), ("name_ru", "Джаны-Джер 2"), ("name_en", "Jangy-Jer 2"), ("version", "1")])
            #expect(renamed.status == .seeOther)
            let after = try #require(try await Territory.find(territory.id, on: app.db))
            #expect(after.nameKy == "Жаңы-Жер 2" && after.version == 2 && after.code == territory.code)
            let entry = try #require(try await AuditEntry.query(on: app.db).filter(\.$action == "territory.update").first())
            #expect(entry.before?.contains("\"nameKy\":\"Жаңы-Жер\"") == true && entry.after?.contains("Жаңы-Жер 2") == true)

            // A second edit made from the same old form (version 1) is stale: refused, input kept, nothing changed.
            let before = try await Snapshot.take(app.db)
            let stale = try await admin.post("/admin/territories/\(territory.code)", [("kind", "settlement"), ("parent", "KG-O-ozgon-jazy"), ("name_ky", "Эски форма"), ("version", "1"), ("_csrf", staleToken ?? "")], csrf: false)
            #expect(stale.status == .conflict)
            #expect(stale.body.string.contains("Сиз ачкандан кийин бул жазууну башка бирөө өзгөрттү."))
            #expect(stale.body.string.contains("value=\"Эски форма\""))
            #expect(try await Territory.find(territory.id, on: app.db)?.nameKy == "Жаңы-Жер 2")
            #expect(try await Snapshot.take(app.db) == before)

            let cycle = try await admin.get("/admin/territories/KG-O-ozgon/edit")
            #expect(cycle.status == .ok)
            let moved = try await admin.post("/admin/territories/KG-O-ozgon", [("kind", "raion"), ("parent", "KG-O-ozgon"), ("name_ky", "Өзгөн району"), ("version", "1")])
            #expect(moved.status == .unprocessableEntity)
        }
    }

    @Test("of two saves made from the same version, exactly one wins, even at the same moment")
    func concurrentEdits() async throws {
        try await withDemilge { app in
            let id = try #require(try await Territory.query(on: app.db).filter(\.$code == "KG-N").first()?.id)
            let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<6 {
                    group.addTask { try await app.write { db in try await VersionClaim.claim(Territory.schema, id: id, expected: 1, on: db) } }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(wins == 1)
            #expect(try await Territory.find(id, on: app.db)?.version == 2)
        }
    }

    @Test("CSV import applies a whole file or, on any bad line, nothing, naming each bad line")
    func territoryImport() async throws {
        try await withDemilge { app in
            let admin = try await Browser(app).signIn("admin@demilge.kg")
            try await admin.get("/admin/territories/import")
            let header = TerritoryCSV.header.joined(separator: ",")
            let bad = """
            \(header)
            KG-O-nookat-new-aa,ayil_aimak,KG-O-nookat,,Жаңы айыл аймагы,,,
            KG-O-bad,ayil_aimak,KG-O,,Облуска түз баш ийген,,,
            KG-GO-x,settlement,KG-NOWHERE,,Х,,,
            """
            let before = try await Snapshot.take(app.db)
            let refused = try await admin.post("/admin/territories/import", [("csv", bad)])
            #expect(refused.status == .unprocessableEntity)
            let body = refused.body.string
            #expect(body.contains("Сап 3") && body.contains("Сап 4") && !body.contains("Сап 2 "))
            #expect(body.contains("KG-O-nookat-new-aa"), "the pasted text is kept")
            #expect(try await Snapshot.take(app.db) == before)

            let good = """
            \(header)
            KG-O-nookat-new-aa,ayil_aimak,KG-O-nookat,,Жаңы айыл аймагы,айылный аймак Новый,New ayil aimak,
            KG-O-nookat-new-aa-village,settlement,KG-O-nookat-new-aa,,Жаңы айыл,Новое село,New village,
            KG-T-aitmatov,raion,KG-T,,Айтматов району,Айтматовский район,Aitmatov District,Кара-Буура;Кара-Бууринский;Karabuura
            """
            let applied = try await admin.post("/admin/territories/import", [("csv", good)])
            #expect(applied.status == .seeOther)
            #expect(try await Territory.query(on: app.db).count() == before.territories + 2)
            #expect(try await Territory.query(on: app.db).filter(\.$code == "KG-T-aitmatov").first()?.aliasList.contains("Karabuura") == true)
            let actions = try await AuditEntry.query(on: app.db).filter(\.$id > Int64(before.audit)).all().map(\.action)
            #expect(actions.sorted() == ["territory.create", "territory.create", "territory.update"])
        }
    }

    @Test("an administrator adds and edits an organisation; bad input is explained and kept")
    func organisations() async throws {
        try await withDemilge { app in
            let admin = try await Browser(app).signIn("admin@demilge.kg")
            try await admin.get("/admin/organisations/new")
            let invalid = try await admin.post("/admin/organisations", [("kind", "cso"), ("legal_form", "KF"), ("name_ky", "Жашыл Айыл"), ("website", "javascript:alert(1)")])
            #expect(invalid.status == .unprocessableEntity)
            #expect(invalid.body.string.contains("http:// же https://") && invalid.body.string.contains("value=\"Жашыл Айыл\""))
            let created = try await admin.post("/admin/organisations", [("kind", "cso"), ("legal_form", "KF"), ("name_ky", "Жашыл Айыл"), ("name_en", "Green Village"), ("territory", "KG-N-kochkor-kochkor"), ("website", "https://green.example.kg")])
            #expect(created.location == "/organisations/green-village")
            let page = try await admin.get("/organisations/green-village").body.string
            #expect(page.contains("коомдук фонд") && page.contains("Кочкор айыл аймагы"))
            try await admin.get("/admin/organisations/green-village/edit")
            let edited = try await admin.post("/admin/organisations/green-village", [("kind", "cso"), ("legal_form", "KB"), ("name_ky", "Жашыл Айыл КБ"), ("version", "1")])
            #expect(edited.status == .seeOther)
            let stale = try await admin.post("/admin/organisations/green-village", [("kind", "cso"), ("name_ky", "Эски"), ("version", "1")])
            #expect(stale.status == .conflict)
            #expect(try await Organisation.query(on: app.db).filter(\.$slug == "green-village").first()?.nameKy == "Жашыл Айыл КБ")
        }
    }
}

@Suite("Audit log")
struct AuditTests {
    @Test("every change is chained; the chain verifies, and any tampering is found")
    func chain() async throws {
        try await withDemilge { app in
            let intact = try await AuditLog.verify(on: app.db)
            #expect(intact.breach == nil)
            #expect(intact.count > 100, "the seed's changes are audited too")
            let sql = try #require(app.db as? any SQLDatabase)
            try await sql.raw("UPDATE audit_entries SET after = 'forged' WHERE sequence = 5").run()
            #expect(try await AuditLog.verify(on: app.db).breach == .alteredEntry(sequence: 5))
        }
    }

    @Test("removing an entry from the middle is found")
    func removal() async throws {
        try await withDemilge { app in
            let sql = try #require(app.db as? any SQLDatabase)
            try await sql.raw("DELETE FROM audit_entries WHERE sequence = 7").run()
            #expect(try await AuditLog.verify(on: app.db).breach == .sequenceGap(after: 6, found: 8))
        }
    }

    @Test("concurrent changes never fork the chain")
    func concurrentWrites() async throws {
        try await withDemilge { app in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<8 {
                    group.addTask {
                        try await app.write { db in
                            try await AuditLog.record(on: db, by: .system("test"), action: "test.concurrent", entityType: "test", entityID: String(index))
                        }
                    }
                }
                for try await _ in group {}
            }
            let result = try await AuditLog.verify(on: app.db)
            #expect(result.breach == nil)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "test.concurrent").count() == 8)
        }
    }
}
