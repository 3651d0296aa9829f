@testable import DemilgeApp
import DemilgeCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("Small grants")
struct GrantsTests {
    static let today = Day.today()

    /// The Аракет programme's manager opens a call for municipalities and civil-society organisations.
    static func openCall(_ manager: Browser, budget: String = "700 000", coFunding: String = "20") async throws -> String {
        try await manager.get("/grants/new")
        let created = try await manager.post("/grants", [
            ("programme", "araket"), ("title", "Сынак: суу жана жарык"), ("budget", budget), ("min_grant", "100 000"), ("max_grant", "650 000"),
            ("cofunding", coFunding), ("kind_municipality", "on"), ("kind_cso", "on"), ("deadline", today.adding(days: 20).description),
            ("criteria", CallTermsForm.defaultCriteria), ("minimum_score", "50"), ("documents", "Өтүнмө\nБюджет"),
            ("territories[]", "KG-GO"), ("territories[]", "KG-C"),
        ])
        #expect(created.status == .seeOther, "\(created.body.string.prefix(2000))")
        let path = try #require(created.location)
        try await manager.get(path)
        #expect(try await manager.post("\(path)/status", [("status", "open"), ("version", "1")]).status == .seeOther)
        return path
    }

    static func application(organisation: String, territory: String, grant: String, local: String, community: String, total: String,
                            intent: String = "submit", title: String = "Суу түтүгү") -> [(String, String)] {
        [("organisation", organisation), ("territory", territory), ("title", title), ("summary", "Конушка суу"), ("goals", "Таза суу"),
         ("activities", "Иштер | 2026-12 | 2027-03"),
         ("lines", "Түтүктөр | грант | \(grant)\nДокументтер | жергиликтүү бюджет | \(local)\nЭмгек | community | \(community)"),
         ("requested", grant), ("total", total), ("female_30_59", "120"), ("male_30_59", "110"), ("intent", intent)]
    }

    static func version(_ app: Application, _ title: String) async throws -> String {
        String(try await application(app, titled: title).version)
    }

    static func application(_ app: Application, titled title: String) async throws -> GrantApplication {
        try #require(try await GrantApplication.query(on: app.db).filter(\.$title == title).with(\.$lines).first())
    }

    @Test("the demo: seed 004's 25 grantees by oblast, a ranked municipal call, and Манас-Ата's grant from contract to closure")
    func demo() async throws {
        try await withDemilge { app in
            let visitor = Browser(app)
            visitor.acceptLanguage = "en"
            let csoCall = try #require(try await GrantCall.query(on: app.db).filter(\.$title == GrantsDemo.csoCallTitle).first())
            let awarded = try await GrantApplication.query(on: app.db).filter(\.$call.$id == csoCall.id!).filter(\.$status == .approved).count()
            #expect(awarded == 25)
            let byOblast = try await visitor.get("/grants/grantees").body.string
            #expect(byOblast.contains("Chüy") && byOblast.contains("Корнелиус Коому") && byOblast.contains("Osh City"), "grantees grouped by oblast")

            let cityCall = try #require(try await GrantCall.query(on: app.db).filter(\.$title == GrantsDemo.cityCallTitle).first())
            let results = try await visitor.get("/grants/\(cityCall.id!.uuidString.lowercased())").body.string
            #expect(results.contains("reserve no. 1") && results.contains("reserve no. 2"), "the budget cut is explained")
            #expect(results.contains("80.0"), "Манас-Ата's mean weighted score is public once decided")

            let manasAta = try await Self.application(app, titled: GrantsDemo.manasAtaTitle)
            #expect(manasAta.status == .closed)
            let page = try await visitor.get("/applications/\(manasAta.id!.uuidString.lowercased())").body.string
            for fact in ["АР-2022/01", "Биринчи мониторингдин", "Түтүк тартуу", "Нурбек Осмонов", "186 үй", "Негизги түтүктү 1,2 км тартуу",
                         "chosen as the main problem by the commission on 26 March 2022", "focus groups at the needs assessment of", "Closed"] {
                #expect(page.contains(fact), "the grant's page shows \(fact)")
            }
            #expect(page.contains("<td>1,448,500 som</td>"), "grant spent is from the final report")
            #expect(!page.contains("Смета негиздүү"), "reviewer comments stay with the commission")
        }
    }

    @Test("from call to closure through the web, with every refusal changing nothing")
    func wholePath() async throws {
        try await withDemilge { app in
            let manager = try await Browser(app).signIn("manager.araket@demilge.kg")
            let call = try await Self.openCall(manager)

            // Applications: co-funding below the share is explained and nothing is stored; then a sound one.
            let cityApplicant = try await Browser(app).signIn("applicant.manas-ata@demilge.kg")
            cityApplicant.acceptLanguage = "en"
            try await cityApplicant.get("\(call)/apply")
            let short = try await cityApplicant.post("\(call)/apply", Self.application(organisation: "mta-manas-ata", territory: "KG-GO-manas-ata",
                                                                                     grant: "600 000", local: "50 000", community: "40 000", total: "690 000"))
            #expect(short.status == .unprocessableEntity)
            #expect(short.body.string.contains("Co-financing is only 13.0% of the whole cost; at least 20% is required."))
            #expect(short.body.string.contains("690 000"), "what was typed is kept")
            #expect(try await GrantApplication.query(on: app.db).filter(\.$title == "Суу түтүгү").count() == 0)
            let sent = try await cityApplicant.post("\(call)/apply", Self.application(organisation: "mta-manas-ata", territory: "KG-GO-manas-ata",
                                                                                    grant: "600 000", local: "100 000", community: "60 000", total: "760 000"))
            #expect(sent.status == .seeOther, "\(sent.body.string.prefix(3000))")
            let city = try await Self.application(app, titled: "Суу түтүгү")
            let cityPath = "/applications/\(city.id!.uuidString.lowercased())"
            #expect(city.status == .submitted && city.lines.count == 3 && city.requestedTyiyn == 60_000_000)
            #expect(try await cityApplicant.get("\(cityPath)/edit").status == .conflict, "a submitted application is locked")

            let csoApplicant = try await Browser(app).signIn("applicant.cso@demilge.kg")
            try await csoApplicant.get("\(call)/apply")
            #expect(try await csoApplicant.post("\(call)/apply", Self.application(organisation: "kornelius-koomu", territory: "KG-C-tokmok-city",
                                                                                 grant: "400 000", local: "0,01", community: "100 000", total: "500 000,01",
                                                                                 title: "Жаштар борбору")).status == .seeOther)
            let cso = try await Self.application(app, titled: "Жаштар борбору")
            let csoPath = "/applications/\(cso.id!.uuidString.lowercased())"

            // The applicant cannot judge; the manager checks eligibility and starts the review.
            try await cityApplicant.get(cityPath)
            #expect(try await cityApplicant.post("\(cityPath)/status", [("to", "eligible"), ("version", try await Self.version(app, "Суу түтүгү"))]).status == .forbidden)
            for email in ["reviewer.one@demilge.kg", "reviewer.two@demilge.kg"] {
                try await manager.get(call)
                #expect(try await manager.post("\(call)/reviewers", [("email", email)]).status == .seeOther)
            }
            try await manager.get(call)
            #expect(try await manager.post("\(call)/status", [("status", "review"), ("version", "2")]).status == .seeOther)
            for (path, title) in [(cityPath, "Суу түтүгү"), (csoPath, "Жаштар борбору")] {
                for to in ["eligible", "under_review"] {
                    try await manager.get(path)
                    #expect(try await manager.post("\(path)/status", [("to", to), ("version", try await Self.version(app, title))]).status == .seeOther)
                }
            }

            // Reviewer two declares a conflict with Манас-Ата: cannot see its proposal nor score it.
            let two = try await Browser(app).signIn("reviewer.two@demilge.kg")
            two.acceptLanguage = "en"
            try await two.get("\(call)/review")
            #expect(try await two.post("\(call)/conflicts", [("conflict_\(city.id!.uuidString.lowercased())", "on"),
                                                              ("reason_\(city.id!.uuidString.lowercased())", "туугандык байланыш")]).status == .seeOther)
            let hidden = try await two.get(cityPath).body.string
            #expect(hidden.contains("You have a conflict of interest") && !hidden.contains("Түтүктөр"), "the conflicted reviewer sees no proposal")
            let scores = (1...5).map { ("score_c\($0)", "8") }
            #expect(try await two.post("\(cityPath)/scores", scores).status == .forbidden)

            // Reviewer one scores both; the CSO's scores stay hidden until reviewer two has scored too.
            let one = try await Browser(app).signIn("reviewer.one@demilge.kg")
            one.acceptLanguage = "en"
            try await one.get("\(call)/review")
            #expect(try await one.post("\(call)/conflicts", []).status == .seeOther)
            try await one.get(cityPath)
            let outOfRange = try await one.post("\(cityPath)/scores", [("score_c1", "11")] + scores.dropFirst())
            #expect(outOfRange.status == .unprocessableEntity && outOfRange.body.string.contains("Give a score from 0 to 10."))
            try await one.get(cityPath)
            #expect(try await one.post("\(cityPath)/scores", scores + [("comment_c1", "Жамааттын артыкчылыгы")]).status == .seeOther)
            try await one.get(csoPath)
            #expect(try await one.post("\(csoPath)/scores", (1...5).map { ("score_c\($0)", "6") }).status == .seeOther)
            #expect(try await Self.application(app, titled: "Суу түтүгү").status == .scored, "the only unconflicted reviewer has scored")
            #expect(try await Self.application(app, titled: "Жаштар борбору").status == .underReview)
            let waiting = try await one.get(csoPath).body.string
            #expect(waiting.contains("scores stay hidden until everyone has scored") && !waiting.contains("Mean weighted score"))
            try await one.get(csoPath)
            #expect(try await one.post("\(csoPath)/scores", scores).status == .conflict, "a second score sheet is refused")
            try await two.get(csoPath)
            #expect(try await two.post("\(csoPath)/scores", (1...5).map { ("score_c\($0)", "5") }).status == .seeOther)
            #expect(try await one.get(csoPath).body.string.contains("Mean weighted score: <strong>55.0</strong>"))

            // Decision by the ranking: 80 points funded (600 000 of 700 000), 55 points to the reserve list.
            try await manager.get(call)
            #expect(try await manager.post("\(call)/decide", [("version", "3")]).status == .seeOther)
            #expect(try await Self.application(app, titled: "Суу түтүгү").status == .approved)
            let reserve = try await Self.application(app, titled: "Жаштар борбору")
            #expect(reserve.status == .reserve)
            manager.acceptLanguage = "en"
            try await manager.get(csoPath)
            let overBudget = try await manager.post("\(csoPath)/status", [("to", "approved"), ("version", String(reserve.version))])
            #expect(overBudget.status == .conflict && overBudget.body.string.contains("the award would exceed the budget"), "the call's money no longer covers it")
            #expect(try await Self.application(app, titled: "Жаштар борбору").status == .reserve)

            // Contract, tranches in order, disbursements within them.
            try await manager.get(cityPath)
            let badContract = try await manager.post("\(cityPath)/contract", [
                ("number", "С-1"), ("signed_on", Self.today.description), ("starts_on", Self.today.description), ("ends_on", Self.today.adding(days: 120).description),
                ("amount", "600 000"), ("local_budget", "100 000"), ("community", "60 000"), ("tranches", "\(Self.today) | 300 000 | кол коюлганда\n\(Self.today) | 200 000"),
            ])
            #expect(badContract.status == .unprocessableEntity && badContract.body.string.contains("The tranches add up to"))
            #expect(try await GrantContract.query(on: app.db).filter(\.$number == "С-1").count() == 0)
            try await manager.get(cityPath)
            #expect(try await manager.post("\(cityPath)/contract", [
                ("number", "С-1"), ("signed_on", Self.today.description), ("starts_on", Self.today.description), ("ends_on", Self.today.adding(days: 120).description),
                ("amount", "600 000"), ("local_budget", "100 000"), ("community", "60 000"), ("tranches", "\(Self.today) | 360 000 | кол коюлганда\n\(Self.today) | 240 000 | мониторингден кийин"),
            ]).status == .seeOther)
            #expect(try await Self.application(app, titled: "Суу түтүгү").status == .contracted)
            try await manager.get(cityPath)
            #expect(try await manager.post("\(cityPath)/payments", [("kind", "disbursement"), ("tranche", "2"), ("paid_on", Self.today.description), ("amount", "100 000")]).status == .unprocessableEntity,
                    "tranche 2 waits for tranche 1")
            try await manager.get(cityPath)
            let over = try await manager.post("\(cityPath)/payments", [("kind", "disbursement"), ("tranche", "1"), ("paid_on", Self.today.description), ("amount", "360,000.01")])
            #expect(over.status == .unprocessableEntity && over.body.string.contains("Only 360,000 som is left in this tranche."))
            for (tranche, amount) in [("1", "360 000"), ("2", "240 000")] {
                try await manager.get(cityPath)
                #expect(try await manager.post("\(cityPath)/payments", [("kind", "disbursement"), ("tranche", tranche), ("paid_on", Self.today.description), ("amount", amount), ("reference", "ТП")]).status == .seeOther)
            }
            try await manager.get(cityPath)
            #expect(try await manager.post("\(cityPath)/payments", [("kind", "contribution"), ("source", "local_budget"), ("paid_on", Self.today.description), ("amount", "100 000")]).status == .seeOther)
            #expect(try await Self.application(app, titled: "Суу түтүгү").status == .inImplementation, "the first disbursement starts implementation")

            // Joint monitoring: the applicant may not record a visit; the monitor does, with a photo.
            try await cityApplicant.get(cityPath)
            #expect(try await cityApplicant.postMultipart("\(cityPath)/visits", [("visited_on", Self.today.description), ("community_members", "Айбек"), ("council_members", "Депутат"),
                                                                                ("findings", "Иш жүрүп жатат"), ("rating", "4")]).status == .forbidden)
            let monitor = try await Browser(app).signIn("monitor.osh@demilge.kg")
            try await monitor.get(cityPath)
            let png = TestPhotos.png
            #expect(try await monitor.postMultipart("\(cityPath)/visits", [("visited_on", Self.today.description), ("community_members", "Айбек, Гүлзат"), ("council_members", "Депутат Осмонов"),
                                                                           ("findings", "Түтүктүн жарымы тартылды"), ("rating", "4")],
                                                    file: ("photo1", "visit.png", "image/png", png)).status == .seeOther)
            let visit = try #require(try await GrantVisit.query(on: app.db).filter(\.$application.$id == city.id!).first())
            #expect(visit.photos.count == 1)
            #expect(try await Browser(app).get("/grant-photos/\(visit.photos[0])").status == .ok)

            // The final report, then completion and closure.
            try await manager.get(cityPath)
            #expect(try await manager.post("\(cityPath)/status", [("to", "completed"), ("version", String(try await Self.application(app, titled: "Суу түтүгү").version))]).status == .unprocessableEntity,
                    "completion waits for the final report")
            try await cityApplicant.get(cityPath)
            let lines = try await Self.application(app, titled: "Суу түтүгү").lines.sorted { $0.position < $1.position }
            let report = try await cityApplicant.post("\(cityPath)/report", [("summary", "Суу түтүгү толук тартылды, 186 үй туташты."), ("female_30_59", "130"), ("male_30_59", "120")]
                                                      + zip(lines, ["598 500", "100 000", "60 000"]).map { ("spent_\($0.0.id!.uuidString.lowercased())", $0.1) })
            #expect(report.status == .seeOther, "\(report.body.string.prefix(2000))")
            for to in ["completed", "closed"] {
                try await manager.get(cityPath)
                #expect(try await manager.post("\(cityPath)/status", [("to", to), ("version", String(try await Self.application(app, titled: "Суу түтүгү").version))]).status == .seeOther)
            }
            let closed = try await Browser(app).get(cityPath).body.string
            #expect(closed.contains(Money.som(598_500).formatted(.ky)) && closed.contains(Money.som(760_000).formatted(.ky)) && closed.contains("С-1"),
                    "planned, paid and spent in public")

            // Open data and the audit trail.
            #expect(try await Browser(app).get("/grants/awards.csv").body.string.contains("Суу түтүгү,closed,600000.00,760000.00,80.00"))
            #expect(try await Browser(app).get("/grants/disbursements.json").body.string.contains("\"amount_som\":\"360000.00\""))
            #expect(try await Browser(app).get("/grants/contracts.csv").body.string.contains("С-1"))
            let trail = try await AuditEntry.query(on: app.db).filter(\.$entityID == city.id!.uuidString.lowercased()).all().map(\.action)
            for action in ["grant.create", "grant.submitted", "grant.score", "grant.approved", "grant.contract", "grant.payment", "grant.visit", "grant.report", "grant.closed"] {
                #expect(trail.contains(action), "audited: \(action)")
            }
        }
    }

    @Test("refusals: a resident cannot open a call, nobody applies late, one application per organisation")
    func refusals() async throws {
        try await withDemilge { app in
            let resident = try await Browser(app).signIn("resident.manas-ata@demilge.kg")
            #expect(try await resident.get("/grants/new").status == .forbidden)
            let before = try await GrantCall.query(on: app.db).count()
            try await resident.get("/grants")
            #expect(try await resident.post("/grants", [("programme", "araket"), ("title", "Менин сынагым"), ("budget", "100"), ("min_grant", "1"), ("max_grant", "10"),
                                                        ("cofunding", "0"), ("kind_cso", "on"), ("deadline", Self.today.adding(days: 5).description),
                                                        ("criteria", "Баары | 100 | 10"), ("minimum_score", "0")]).status == .forbidden)
            #expect(try await GrantCall.query(on: app.db).count() == before)

            let manager = try await Browser(app).signIn("manager.araket@demilge.kg")
            manager.acceptLanguage = "en"
            try await manager.get("/grants/new")
            let weights = try await manager.post("/grants", [("programme", "araket"), ("title", "Салмактар"), ("budget", "100 000"), ("min_grant", "1 000"),
                                                             ("max_grant", "10 000"), ("cofunding", "0"), ("kind_cso", "on"), ("deadline", Self.today.adding(days: 5).description),
                                                             ("criteria", "Бир | 60 | 10\nЭки | 30 | 10"), ("minimum_score", "0")])
            #expect(weights.status == .unprocessableEntity && weights.body.string.contains("The criteria weigh 90% in all"))

            let call = try await Self.openCall(manager)
            let applicant = try await Browser(app).signIn("applicant.manas-ata@demilge.kg")
            applicant.acceptLanguage = "ru"
            let fields = Self.application(organisation: "mta-manas-ata", territory: "KG-GO-manas-ata", grant: "600 000", local: "100 000", community: "60 000", total: "760 000")
            // Someone else's organisation.
            try await applicant.get("\(call)/apply")
            #expect(try await applicant.post("\(call)/apply", Self.application(organisation: "kornelius-koomu", territory: "KG-C-tokmok-city", grant: "400 000",
                                                                              local: "100 000", community: "0", total: "500 000")).status == .forbidden)
            // Outside the call's territories: the call is narrowed to Чүй облусу, and the project's place is always the
            // organisation's own (Манас-Ата), whatever place the form names.
            let model = try #require(try await GrantCall.query(on: app.db).filter(\.$title == "Сынак: суу жана жарык").first())
            let callTerritories = model.territoryIDs
            model.territoryIDs = [try await territoryID(app, "KG-C")]
            try await model.save(on: app.db)
            try await applicant.get("\(call)/apply")
            let elsewhere = try await applicant.post("\(call)/apply", fields.map { $0.0 == "territory" ? ("territory", "KG-C-tokmok-city") : $0 })
            #expect(elsewhere.status == .unprocessableEntity && elsewhere.body.string.contains("Территория проекта не входит в этот конкурс."))
            model.territoryIDs = callTerritories
            // A late submission: the deadline passed yesterday.
            model.deadline = Self.today.adding(days: -1)
            try await model.save(on: app.db)
            try await applicant.get("\(call)/apply")
            let late = try await applicant.post("\(call)/apply", fields)
            #expect(late.status == .unprocessableEntity && late.body.string.contains("Срок подачи заявок истёк"))
            #expect(try await GrantApplication.query(on: app.db).filter(\.$call.$id == model.id!).count() == 0)
            // A draft can still be kept, and only one application per organisation.
            try await applicant.get("\(call)/apply")
            #expect(try await applicant.post("\(call)/apply", Self.application(organisation: "mta-manas-ata", territory: "KG-GO-manas-ata", grant: "600 000",
                                                                              local: "100 000", community: "60 000", total: "760 000", intent: "draft")).status == .seeOther)
            try await applicant.get("\(call)/apply")
            let twice = try await applicant.post("\(call)/apply", fields.map { $0.0 == "intent" ? ("intent", "draft") : $0 })
            #expect(twice.status == .unprocessableEntity && twice.body.string.contains("Эта организация уже подала заявку"))
            let draft = try #require(try await GrantApplication.query(on: app.db).filter(\.$call.$id == model.id!).first())
            #expect(draft.status == .draft)
            // Editing the draft in the name of someone else's organisation is refused as forbidden, as creating is.
            let draftPath = "/applications/\(draft.id!.uuidString.lowercased())"
            try await applicant.get("\(draftPath)/edit")
            let foreign = try await applicant.post(draftPath, Self.application(organisation: "kornelius-koomu", territory: "KG-C-tokmok-city", grant: "400 000",
                                                                              local: "100 000", community: "0", total: "500 000", intent: "draft")
                                                   + [("version", String(draft.version))])
            #expect(foreign.status == .forbidden)
            #expect(try await GrantApplication.find(draft.id, on: app.db)?.$organisation.id == draft.$organisation.id)
            let peek = try await Browser(app).get("/applications/\(draft.id!.uuidString.lowercased())")
            #expect(peek.status == .seeOther && peek.location?.hasPrefix("/signin") == true, "a draft is not public: \(peek.status)")
        }
    }

    @Test("a draft call's terms can be edited (stale edits refused); once open they are locked")
    func editCall() async throws {
        try await withDemilge { app in
            let manager = try await Browser(app).signIn("manager.araket@demilge.kg")
            manager.acceptLanguage = "en"
            try await manager.get("/grants/new")
            let created = try await manager.post("/grants", [
                ("programme", "araket"), ("title", "Түзөтүлүүчү сынак"), ("budget", "500 000"), ("min_grant", "50 000"), ("max_grant", "200 000"),
                ("cofunding", "10"), ("kind_cso", "on"), ("deadline", Self.today.adding(days: 30).description), ("criteria", "Баары | 100 | 10"),
                ("minimum_score", "40"), ("territories[]", "KG-GO"),
            ])
            let path = try #require(created.location)
            let form = try await manager.get("\(path)/edit").body.string
            #expect(form.contains("Баары | 100 | 10") && form.contains(#"value="500,000""#) && form.contains(#"<option value="KG-GO" selected>"#),
                    "the form shows the call as it is, the amount as English pages write it")
            let edit: [(String, String)] = [("programme", "araket"), ("title", "Түзөтүлгөн сынак"), ("budget", "800,000"), ("min_grant", "50,000"),
                                            ("max_grant", "200 000"), ("cofunding", "15"), ("kind_cso", "on"), ("kind_municipality", "on"),
                                            ("deadline", Self.today.adding(days: 40).description), ("criteria", "Маанилүүлүк | 60 | 10\nКатышуу | 40 | 5"),
                                            ("minimum_score", "50")]
            #expect(try await manager.post("\(path)/edit", edit + [("version", "1")]).status == .seeOther)
            let call = try #require(try await GrantCall.query(on: app.db).filter(\.$title == "Түзөтүлгөн сынак").first())
            #expect(call.budgetTyiyn == 80_000_000 && call.criteria.count == 2 && call.applicantKinds == [.cso, .municipality] && call.territoryIDs.isEmpty)
            try await manager.get("\(path)/edit")
            #expect(try await manager.post("\(path)/edit", edit.map { $0.0 == "title" ? ("title", "Эски формадан") : $0 } + [("version", "1")]).status == .conflict,
                    "an edit from an old form is refused")
            try await manager.get(path)
            #expect(try await manager.post("\(path)/status", [("status", "open"), ("version", "2")]).status == .seeOther)
            #expect(try await manager.get("\(path)/edit").status == .conflict)
            let late = try await manager.post("\(path)/edit", edit + [("version", "3")])
            #expect(late.status == .conflict && late.body.string.contains("terms cannot change: applicants rely on them"))
            #expect(try await GrantCall.query(on: app.db).filter(\.$title == "Түзөтүлгөн сынак").first()?.budgetTyiyn == 80_000_000)
            let other = try await Browser(app).signIn("manager.alert@demilge.kg")
            #expect(try await other.get("\(path)/edit").status == .forbidden, "another programme's manager")
        }
    }

    @Test("a stale milestone edit is refused with 409 before any write opens; the current version is taken")
    func staleEditOpensNoWrite() async throws {
        try await withDemilge { app in
            let manager = try await Browser(app).signIn("manager.araket@demilge.kg")
            let delivered = try await GrantsTests.application(app, titled: GrantsDemo.manasAtaTitle)
            let milestone = try #require(try await GrantMilestone.query(on: app.db).filter(\.$application.$id == delivered.requireID()).first())
            try await manager.get(SitePath.application(delivered.id).path)
            let writes = app.committedWrites
            let stale = try await manager.post(SitePath.application(delivered.id).path + "/milestones/\(milestone.idString)",
                                               [("progress", "60"), ("note", ""), ("version", String(milestone.version + 5))])
            #expect(stale.status == .conflict)
            #expect(app.committedWrites == writes, "no transaction for a form opened at another version")
            #expect(try await GrantMilestone.find(milestone.id, on: app.db)?.progress == milestone.progress)
            let current = try await manager.post(SitePath.application(delivered.id).path + "/milestones/\(milestone.idString)",
                                                 [("progress", "60"), ("note", ""), ("version", String(milestone.version))])
            #expect(current.status == .seeOther && app.committedWrites > writes)
        }
    }
}
