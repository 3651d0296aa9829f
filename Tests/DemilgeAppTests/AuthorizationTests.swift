@testable import DemilgeApp
import DemilgeCore
import Fluent
import Testing
import Vapor
import VaporTesting

@Suite("Authorization")
struct AuthorizationTests {
    static let nonAdministrators = ["resident.manas-ata@demilge.kg", "facilitator.nookat@demilge.kg", "manager.alert@demilge.kg"]

    @Test("every admin page and action refuses visitors and every other role, and changes nothing")
    func adminMatrix() async throws {
        try await withDemilge { app in
            let user = try #require(try await User.query(on: app.db).filter(\.$email == "resident.manas-ata@demilge.kg").first())
            let id = user.id!.uuidString
            let pages = ["/admin", "/admin/audit", "/admin/users", "/admin/users/\(id)", "/admin/territories/new",
                         "/admin/territories/import", "/admin/territories/KG-O/edit", "/admin/organisations/new", "/admin/organisations/dpi/edit"]
            let actions: [(String, [(String, String)])] = [
                ("/admin/users/\(id)/roles", [("role", "administrator"), ("scope", "global")]),
                ("/admin/users/\(id)/status", [("disabled", "1")]),
                ("/admin/territories", [("kind", "settlement"), ("parent", "KG-GO"), ("name_ky", "Жаңы конуш")]),
                ("/admin/territories/KG-O", [("kind", "oblast"), ("name_ky", "Өзгөртүлгөн"), ("version", "1")]),
                ("/admin/territories/import", [("csv", "code,kind,parent_code,iso_code,name_ky,name_ru,name_en,aliases\nKG-GO-x,settlement,KG-GO,,X,,,\n")]),
                ("/admin/organisations", [("kind", "cso"), ("name_ky", "Жаңы уюм")]),
                ("/admin/organisations/dpi", [("kind", "cso"), ("name_ky", "Өзгөртүлгөн"), ("version", "1")]),
            ]
            let before = try await Snapshot.take(app.db)

            let visitor = Browser(app)
            for page in pages {
                let response = try await visitor.get(page)
                #expect(response.status == .seeOther && response.location?.hasPrefix("/signin?back=") == true, "visitor \(page)")
            }
            try await visitor.get("/signin")
            for (path, fields) in actions {
                #expect(try await visitor.post(path, fields).status == .unauthorized, "visitor POST \(path)")
            }

            for email in Self.nonAdministrators {
                let browser = try await Browser(app).signIn(email)
                for page in pages {
                    let response = try await browser.get(page)
                    #expect(response.status == .forbidden, "\(email) \(page)")
                    #expect(response.body.string.contains("Бул аракетке укугуңуз жок."))
                }
                try await browser.get("/account")
                for (path, fields) in actions {
                    #expect(try await browser.post(path, fields).status == .forbidden, "\(email) POST \(path)")
                }
            }
            #expect(try await Snapshot.take(app.db) == before)
        }
    }

    @Test("a facilitator of Ноокат acts in Ноокат's ayil aimaks and not in Өзгөн's")
    func facilitatorScope() async throws {
        try await withDemilge { app in
            let user = try #require(try await User.query(on: app.db).filter(\.$email == "facilitator.nookat@demilge.kg").with(\.$roles).first())
            let actor = Principal(userID: user.id, grants: user.roles.compactMap(\.grant))
            func territory(_ code: String) async throws -> UUID {
                try #require(try await Territory.query(on: app.db).filter(\.$code == code).first()?.id)
            }
            let gulistan = try await TerritoryPath.target(try await territory("KG-O-nookat-gulistan"), on: app.db)
            let nookatCity = try await TerritoryPath.target(try await territory("KG-O-nookat-nookat-city"), on: app.db)
            let jazy = try await TerritoryPath.target(try await territory("KG-O-ozgon-jazy"), on: app.db)
            let oshOblast = try await TerritoryPath.target(try await territory("KG-O"), on: app.db)
            #expect(Policy.allows(actor, .recordFieldWork, on: gulistan))
            #expect(Policy.allows(actor, .recordFieldWork, on: nookatCity))
            #expect(!Policy.allows(actor, .recordFieldWork, on: jazy))
            #expect(!Policy.allows(actor, .recordFieldWork, on: oshOblast), "a raion grant does not reach up")
            #expect(!Policy.allows(actor, .manageTerritories))
        }
    }

    @Test("a programme manager manages only their own programme")
    func programmeManagerScope() async throws {
        try await withDemilge { app in
            let user = try #require(try await User.query(on: app.db).filter(\.$email == "manager.alert@demilge.kg").with(\.$roles).first())
            let actor = Principal(userID: user.id, grants: user.roles.compactMap(\.grant))
            let alert = try #require(try await Programme.query(on: app.db).filter(\.$slug == "yntymaktuu-jashoo").first()?.id)
            let vap = try #require(try await Programme.query(on: app.db).filter(\.$slug == "vap").first()?.id)
            #expect(Policy.allows(actor, .manageProgramme, on: Target(programmeID: alert)))
            #expect(!Policy.allows(actor, .manageProgramme, on: Target(programmeID: vap)))
        }
    }
}
