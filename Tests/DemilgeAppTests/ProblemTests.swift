@testable import DemilgeApp
import DemilgeCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("Problems")
struct ProblemTests {
    static let png = TestPhotos.png

    /// Raises a problem as `browser` and returns its id.
    static func raise(_ browser: Browser, title: String = "Көчөдө жарык жок", territory: String = "KG-GO-manas-ata",
                      category: String = "lighting", photo: [UInt8]? = nil) async throws -> String {
        try await browser.get("/problems/new")
        let response = try await browser.postMultipart("/problems", [
            ("title", title), ("description", "Кечинде балдар мектептен караңгыда кайтышат."),
            ("category", category), ("territory", territory),
        ], file: photo.map { ("photo", "street.png", "image/png", $0) })
        #expect(response.status == .seeOther, "raise: \(response.status)")
        return String(try #require(response.location?.split(separator: "/").last))
    }

    static func uploads() -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("demilge-uploads-\(UUID().uuidString)").path
        setenv("DEMILGE_UPLOADS", folder, 1)
        return folder
    }

    @Test("a resident raises a problem with a photo; it is public, filterable and audited")
    func raise() async throws {
        _ = Self.uploads()
        try await withDemilge { app in
            let resident = try await Browser(app).signIn("resident.manas-ata@demilge.kg")
            let id = try await Self.raise(resident, photo: Self.png)
            let page = try await Browser(app).get("/problems/\(id)")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("Көчөдө жарык жок") && page.body.string.contains("Көтөрүлдү"))
            let photo = try await app.testing().sendRequest(.GET, "/problems/\(id)/photo")
            #expect(photo.status == .ok && photo.headers.contentType == .png)
            #expect(Array(photo.body.readableBytesView) == Self.png)

            let inManasAta = try await app.testing().sendRequest(.GET, "/problems?territory=KG-GO").body.string
            #expect(inManasAta.contains("/problems/\(id)"), "filtering by Osh city includes its settlements")
            #expect(!(try await app.testing().sendRequest(.GET, "/problems?territory=KG-O").body.string.contains("/problems/\(id)")))
            #expect(!(try await app.testing().sendRequest(.GET, "/problems?category=water").body.string.contains("/problems/\(id)")))
            #expect(try await app.testing().sendRequest(.GET, "/problems?status=raised&sort=date").body.string.contains("/problems/\(id)"))
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "problem.raise").count() >= 1)
        }
    }

    @Test("bad problem input: messages in the reader's language, input kept, nothing stored")
    func badInput() async throws {
        _ = Self.uploads()
        try await withDemilge { app in
            let resident = try await Browser(app).signIn("resident.manas-ata@demilge.kg")
            try await resident.get("/lang/ru?back=/problems/new")
            try await resident.get("/problems/new")
            let before = try await Problem.query(on: app.db).count()
            let cases: [([(String, String)], (String, String, String, [UInt8])?, String)] = [
                ([("title", "Яма"), ("description", "Большая яма у школы"), ("category", "roads"), ("territory", "KG-GO-alay-1")], nil, "Длина должна быть от 5 до 150 символов."),
                ([("title", "Яма на дороге"), ("description", "Большая яма у школы"), ("category", "nonsense"), ("territory", "KG-GO-alay-1")], nil, "Выберите из списка."),
                ([("title", "Яма на дороге"), ("description", "Большая яма у школы"), ("category", "roads"), ("territory", "KG-NOPE")], nil, "Выберите из списка."),
                ([("title", "Яма на дороге"), ("description", "Большая яма у школы"), ("category", "roads"), ("territory", "KG-GO-alay-1")],
                 ("photo", "x.png", "image/png", Array("<script>alert(1)</script>".utf8)), "Это не фото в формате JPEG или PNG."),
                ([("title", "Яма на дороге"), ("description", "Большая яма у школы"), ("category", "roads"), ("territory", "KG-GO-alay-1")],
                 ("photo", "big.jpg", "image/jpeg", [0xFF, 0xD8, 0xFF] + Array(repeating: 0, count: Uploads.maximumPhotoBytes)), "Фото слишком большое"),
            ]
            for (fields, file, message) in cases {
                let response = try await resident.postMultipart("/problems", fields, file: file)
                #expect(response.status == .unprocessableEntity, "\(message)")
                #expect(response.body.string.contains(message))
                #expect(response.body.string.contains("Большая яма у школы"), "the description is kept")
            }
            #expect(try await Problem.query(on: app.db).count() == before)
            let visitor = Browser(app)
            #expect(try await visitor.get("/problems/new").location?.hasPrefix("/signin") == true)
        }
    }

    @Test("each person supports a problem once, even when the requests race")
    func supportOnce() async throws {
        try await withDemilge { app in
            let author = try await Browser(app).signIn("resident.manas-ata@demilge.kg")
            let id = try await Self.raise(author)
            let supporter = try await Browser(app).signIn("facilitator.nookat@demilge.kg")
            try await supporter.get("/problems/\(id)")
            try await supporter.post("/problems/\(id)/support", [])
            let again = try await supporter.post("/problems/\(id)/support", [])
            #expect(again.status == .seeOther)
            #expect(try await supporter.get("/problems/\(id)").body.string.contains("Сиз бул көйгөйдү мурун эле колдогонсуз"))
            let token = try #require(supporter.csrf)
            let cookie = supporter.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<5 {
                    group.addTask {
                        _ = try await app.testing().sendRequest(.POST, "/problems/\(id)/support",
                            headers: ["Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"], body: ByteBuffer(string: "_csrf=\(token)"))
                    }
                }
                try await group.waitForAll()
            }
            let problem = try #require(try await Problem.find(UUID(uuidString: id), on: app.db))
            #expect(problem.supportCount == 1)
            #expect(try await ProblemSupport.query(on: app.db).filter(\.$problem.$id == problem.id!).count() == 1)
            #expect(try await Browser(app).post("/problems/\(id)/support", [], csrf: false).status.code >= 400, "visitors cannot support")
        }
    }

    @Test("comments: empty ones are refused with the text kept; moderators hide with a reason")
    func comments() async throws {
        try await withDemilge { app in
            let resident = try await Browser(app).signIn("resident.manas-ata@demilge.kg")
            let id = try await Self.raise(resident)
            try await resident.get("/problems/\(id)")
            let empty = try await resident.post("/problems/\(id)/comments", [("body", " ")])
            #expect(empty.status == .unprocessableEntity && empty.body.string.contains("Бул талааны толтуруңуз."))
            try await resident.post("/problems/\(id)/comments", [("body", "Биздин көчөдө да ушундай.")])
            #expect(try await Browser(app).get("/problems/\(id)").body.string.contains("Биздин көчөдө да ушундай."))

            let comment = try #require(try await ProblemComment.query(on: app.db).first())
            let staff = try await Browser(app).signIn("staff.osh@demilge.kg")
            try await staff.get("/problems/\(id)")
            #expect(try await staff.post("/problems/\(id)/comments/\(comment.id!.uuidString)/moderation", [("hide", "1"), ("reason", "жарнама")]).status == .forbidden)
            let admin = try await Browser(app).signIn("admin@demilge.kg")
            try await admin.get("/problems/\(id)")
            try await admin.post("/problems/\(id)/comments/\(comment.id!.uuidString)/moderation", [("hide", "1"), ("reason", "жеке маалымат")])
            #expect(!(try await Browser(app).get("/problems/\(id)").body.string.contains("Биздин көчөдө да ушундай.")))
            let moderatorView = try await admin.get("/problems/\(id)").body.string
            #expect(moderatorView.contains("Биздин көчөдө да ушундай.") && moderatorView.contains("жеке маалымат"))
        }
    }

    @Test("status moves need the right role for the place and a reason; history is public")
    func status() async throws {
        try await withDemilge { app in
            let resident = try await Browser(app).signIn("resident.manas-ata@demilge.kg")
            let id = try await Self.raise(resident)
            let problem = try #require(try await Problem.find(UUID(uuidString: id), on: app.db))
            let fields = [("to", "under_review"), ("reason", "Комиссия карайт"), ("version", "1")]
            try await resident.get("/problems/\(id)")
            #expect(try await resident.post("/problems/\(id)/status", fields).status == .forbidden)
            let otherPlace = try await Browser(app).signIn("facilitator.nookat@demilge.kg")
            try await otherPlace.get("/problems/\(id)")
            #expect(try await otherPlace.post("/problems/\(id)/status", fields).status == .forbidden)

            let staff = try await Browser(app).signIn("staff.osh@demilge.kg")
            try await staff.get("/problems/\(id)")
            let noReason = try await staff.post("/problems/\(id)/status", [("to", "under_review"), ("reason", ""), ("version", "1")])
            #expect(noReason.status == .unprocessableEntity && noReason.body.string.contains("Себебин жазыңыз"))
            let skip = try await staff.post("/problems/\(id)/status", [("to", "solved"), ("reason", "бүттү"), ("version", "1")])
            #expect(skip.status == .unprocessableEntity && skip.body.string.contains("Бул абалдан мындай абалга өтүүгө болбойт."))
            #expect(try await Problem.find(problem.id, on: app.db)?.status == .raised)

            #expect(try await staff.post("/problems/\(id)/status", fields).status == .seeOther)
            let stale = try await staff.post("/problems/\(id)/status", [("to", "prioritised"), ("reason", "эски форма"), ("version", "1")])
            #expect(stale.status == .conflict)
            #expect(try await Problem.find(problem.id, on: app.db)?.status == .underReview)
            let page = try await Browser(app).get("/problems/\(id)").body.string
            #expect(page.contains("Каралууда") && page.contains("Комиссия карайт"))
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "problem.status").count() == 1)
        }
    }

    @Test("moderators hide a problem with a reason; it leaves lists and exports, only they still see it")
    func hide() async throws {
        try await withDemilge { app in
            let resident = try await Browser(app).signIn("resident.manas-ata@demilge.kg")
            let id = try await Self.raise(resident, title: "Кошунамдын үйү жаман")
            try await resident.get("/problems/\(id)")
            #expect(try await resident.post("/problems/\(id)/moderation", [("hide", "1"), ("reason", "x")]).status == .forbidden)
            let admin = try await Browser(app).signIn("admin@demilge.kg")
            try await admin.get("/problems/\(id)")
            let noReason = try await admin.post("/problems/\(id)/moderation", [("hide", "1"), ("reason", "")])
            #expect(noReason.status == .unprocessableEntity)
            try await admin.post("/problems/\(id)/moderation", [("hide", "1"), ("reason", "жеке адамга каршы")])
            #expect(try await Browser(app).get("/problems/\(id)").status == .notFound)
            #expect(!(try await Browser(app).get("/problems").body.string.contains(id)))
            #expect(!(try await app.testing().sendRequest(.GET, "/problems.csv").body.string.contains(id)))
            #expect(try await admin.get("/problems/\(id)").body.string.contains("жеке адамга каршы"))
        }
    }

    @Test("merging a duplicate keeps every supporter once and leads its page to the other")
    func merge() async throws {
        try await withDemilge { app in
            let resident = try await Browser(app).signIn("resident.manas-ata@demilge.kg")
            let original = try await Self.raise(resident, title: "Суу жок, кудук бузулган", category: "water")
            let duplicate = try await Self.raise(resident, title: "Ичүүчү суу келбейт", category: "water")
            for email in ["facilitator.nookat@demilge.kg", "manager.alert@demilge.kg"] {
                let browser = try await Browser(app).signIn(email)
                try await browser.get("/problems/\(duplicate)")
                try await browser.post("/problems/\(duplicate)/support", [])
            }
            let both = try await Browser(app).signIn("admin@demilge.kg")
            for id in [original, duplicate] { try await both.get("/problems/\(id)"); try await both.post("/problems/\(id)/support", []) }

            let staff = try await Browser(app).signIn("staff.osh@demilge.kg")
            try await staff.get("/problems/\(duplicate)")
            #expect(try await staff.post("/problems/\(duplicate)/merge", [("into", duplicate)]).status == .unprocessableEntity)
            #expect(try await staff.post("/problems/\(duplicate)/merge", [("into", original)]).status == .seeOther)
            let merged = try #require(try await Problem.find(UUID(uuidString: original), on: app.db))
            #expect(merged.supportCount == 3, "two moved over, the admin counted once")
            #expect(try await ProblemSupport.query(on: app.db).filter(\.$problem.$id == merged.id!).count() == 3)
            let redirect = try await Browser(app).get("/problems/\(duplicate)")
            #expect(redirect.status == .movedPermanently && redirect.location == "/problems/\(original)")
            #expect(!(try await Browser(app).get("/problems").body.string.contains("/problems/\(duplicate)\"")))
        }
    }

    @Test("problems export as CSV and JSON without personal data")
    func exports() async throws {
        try await withDemilge { app in
            let resident = try await Browser(app).signIn("resident.manas-ata@demilge.kg")
            let id = try await Self.raise(resident)
            let csv = try await app.testing().sendRequest(.GET, "/problems.csv?territory=KG-GO").body.string
            #expect(csv.hasPrefix("id,title,description,category,status,territory_code,territory,supports,raised_on\r\n"))
            #expect(csv.contains(id) && csv.contains("KG-GO-manas-ata"))
            let json = try await app.testing().sendRequest(.GET, "/problems.json")
            let rows = try JSONSerialization.jsonObject(with: Data(json.body.readableBytesView)) as? [[String: Any]]
            #expect(rows?.contains { $0["id"] as? String == id && $0["territory_code"] as? String == "KG-GO-manas-ata" } == true)
            for body in [csv, json.body.string] {
                #expect(!body.contains("@demilge.kg") && !body.contains("Нурлан"), "no author data")
            }
        }
    }
}
