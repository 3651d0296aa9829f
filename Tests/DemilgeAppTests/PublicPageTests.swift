@testable import DemilgeApp
import DemilgeCore
import Fluent
import Testing
import Vapor
import VaporTesting

@Suite("Public pages")
struct PublicPageTests {
    /// Every public page, for every territory, organisation and programme in the demo data.
    static func publicPaths(_ app: Application) async throws -> [String] {
        var paths = ["/", "/territories", "/organisations", "/programmes", "/register", "/signin", "/problems", "/problems?sort=date&category=water&status=raised"]
        paths += try await Problem.query(on: app.db).filter(\.$hidden == false).all().map { "/problems/\($0.id!.uuidString.lowercased())" }
        paths += ["/assessments", "/commissions", "/groups"]
        paths += try await InitiativeGroup.query(on: app.db).all().map { "/groups/\($0.id!.uuidString.lowercased())" }
        paths += try await AssessmentSession.query(on: app.db).all().map { "/assessments/\($0.id!.uuidString.lowercased())" }
        paths += try await Commission.query(on: app.db).all().map { "/commissions/\($0.id!.uuidString.lowercased())" }
        paths += ["/rounds"]
        for round in try await BudgetRound.query(on: app.db).all() {
            paths.append("/rounds/\(round.id!.uuidString.lowercased())")
            if round.status == .published { paths += ["/rounds/\(round.id!.uuidString.lowercased())/results"] }
            if round.status != .draft { paths += ["ballot", "poster"].map { "/rounds/\(round.id!.uuidString.lowercased())/\($0)" } }
        }
        paths += ["/indicators", "/indicators?programme=araket&territory=KG-GO&from=2022-01-01&to=2022-12-31"]
        paths += ["/practices", "/practices?theme=water&oblast=KG-GO"] + (try await Practice.query(on: app.db).all().map { "/practices/\($0.id!.uuidString.lowercased())" })
        paths += ["/events", "/events?kind=exchange_visit"] + (try await Event.query(on: app.db).all().map { "/events/\($0.id!.uuidString.lowercased())" })
        paths += ["/grants", "/grants/grantees", "/search", "/search?q=%D1%81%D1%83%D1%83", "/search?q=kocho&fold=on&type=problem"]
        paths += try await GrantCall.query(on: app.db).all().map { "/grants/\($0.id!.uuidString.lowercased())" }
        paths += try await GrantApplication.query(on: app.db).filter(\.$status != .draft).all().map { "/applications/\($0.id!.uuidString.lowercased())" }
        paths += OrganisationKind.allCases.map { "/organisations?kind=\($0.rawValue)" }
        paths += try await Territory.query(on: app.db).all().map { "/territories/\($0.code)" }
        paths += try await Organisation.query(on: app.db).all().map { "/organisations/\($0.slug)" }
        for programme in try await Programme.query(on: app.db).all() {
            paths += ["/programmes/\(programme.slug)", "/programmes/\(programme.slug)/grantees"]
        }
        return paths
    }

    @Test("every public page renders in ky, ru and en with no missing key and no error")
    func everyPageEveryLanguage() async throws {
        try await withDemilge { app in
            let paths = try await Self.publicPaths(app)
            #expect(paths.count > 140)
            for language in Language.allCases {
                for path in paths {
                    let response = try await app.testing().sendRequest(.GET, path, headers: ["Cookie": "lang=\(language.rawValue)"])
                    let body = response.body.string
                    #expect(response.status == .ok, "\(language) \(path): \(response.status)")
                    #expect(!body.contains(Catalog.missingMarker), "\(language) \(path) prints a raw key")
                    #expect(!body.contains("#t(") && !body.contains("#("), "\(language) \(path) has unrendered Leaf")
                    #expect(body.contains("<html lang=\"\(language.rawValue)\">"), "\(language) \(path)")
                    let crumbs = #"class="crumbs"><ol><li><a href="/">"#
                    #expect(path == "/" || body.contains(crumbs), "\(language) \(path) has a breadcrumb from the home page")
                }
            }
        }
    }

    @Test("the reader switches language and the choice sticks; redirects stay on this site")
    func languageSwitch() async throws {
        try await withDemilge { app in
            let browser = Browser(app)
            let home = try await browser.get("/territories")
            #expect(home.body.string.contains("<h1>Аймактар</h1>"))
            let switched = try await browser.get("/lang/ru?back=/territories")
            #expect(switched.status == .seeOther)
            #expect(switched.location == "/territories")
            #expect(browser.cookies["lang"] == "ru")
            #expect(try await browser.get("/territories").body.string.contains("<h1>Территории</h1>"))
            #expect(try await browser.get("/programmes").body.string.contains("<html lang=\"ru\">"))
            try await browser.get("/lang/ky?back=/")
            #expect(try await browser.get("/territories").body.string.contains("<h1>Аймактар</h1>"))
            #expect(try await browser.get("/lang/en?back=//evil.example/x").location == "/")
            #expect(try await browser.get("/lang/xx").status == .notFound)
        }
    }

    @Test("without a choice, the browser's Accept-Language decides, Kyrgyz otherwise")
    func acceptLanguage() async throws {
        try await withDemilge { app in
            let english = try await app.testing().sendRequest(.GET, "/", headers: ["Accept-Language": "de-DE, en;q=0.8, ru;q=0.5"])
            #expect(english.body.string.contains("<html lang=\"en\">"))
            let unknown = try await app.testing().sendRequest(.GET, "/", headers: ["Accept-Language": "de-DE"])
            #expect(unknown.body.string.contains("<html lang=\"ky\">"))
        }
    }

    @Test("the territory browser walks oblast → raion → ayil aimak and city → settlement")
    func territoryBrowser() async throws {
        try await withDemilge { app in
            let index = try await app.testing().sendRequest(.GET, "/territories").body.string
            // Kyrgyz alphabetical order: Баткен, Жалал-Абад, Нарын, Ош, Талас, Чүй, Ысык-Көл.
            let order = ["Баткен облусу", "Жалал-Абад облусу", "Нарын облусу", "Ош облусу", "Талас облусу", "Чүй облусу", "Ысык-Көл облусу"]
            let positions = order.compactMap { index.range(of: $0)?.lowerBound }
            #expect(positions.count == 7 && positions == positions.sorted())

            let oblast = try await app.testing().sendRequest(.GET, "/territories/KG-O").body.string
            #expect(oblast.contains("/territories/KG-O-nookat") && oblast.contains("Ноокат району"))
            let raion = try await app.testing().sendRequest(.GET, "/territories/KG-O-nookat").body.string
            #expect(raion.contains("Гүлистан айыл аймагы") && raion.contains("Ленин айыл аймагы") && raion.contains("Ноокат шаары"))
            #expect(raion.contains("Ноокат Ирригатор"), "grantees below the raion are listed")
            let settlement = try await app.testing().sendRequest(.GET, "/territories/KG-GO-manas-ata").body.string
            #expect(settlement.contains("<h1>Манас-Ата</h1>"))
            #expect(settlement.contains("/territories/KG-GO\">Ош шаары</a>"), "breadcrumb to Osh")
            #expect(settlement.contains("/programmes/araket"), "Araket works in Osh's new settlements")
            #expect(settlement.contains("/problems?territory=KG-GO-manas-ata\">Ачык көйгөйлөр: 7</a>"))
            #expect(settlement.contains("/assessments/") && settlement.contains("/commissions/") && settlement.contains("/groups/"))
            let osh = try await app.testing().sendRequest(.GET, "/territories/KG-GO").body.string
            #expect(osh.contains("Манас-Ата жамаатынын комиссиясы"), "a city's page rolls up its settlements")
            #expect(try await app.testing().sendRequest(.GET, "/territories/NOPE").status == .notFound)
        }
    }

    @Test("programme pages show duration, budget, implementer, partners, regions, goals and grantees")
    func programmePage() async throws {
        try await withDemilge { app in
            let ky = try await app.testing().sendRequest(.GET, "/programmes/active-citizens").body.string
            #expect(ky.contains("октябрь 2019-ж. – сентябрь 2024-ж. (60 ай)"))
            #expect(ky.contains("14\u{00A0}000\u{00A0}000 АКШ доллары"))
            #expect(ky.contains("FHI 360") && ky.contains("ACTED") && ky.contains("Бүтүндөй республика боюнча"))
            let en = try await app.testing().sendRequest(.GET, "/programmes/active-citizens", headers: ["Cookie": "lang=en"]).body.string
            #expect(en.contains("October 2019 – September 2024 (60 months)"))
            #expect(en.contains("14,000,000 US dollars"))
            let ru = try await app.testing().sendRequest(.GET, "/programmes/active-citizens", headers: ["Cookie": "lang=ru"]).body.string
            #expect(ru.contains("октябрь 2019 г. – сентябрь 2024 г."))
            let alert = try await app.testing().sendRequest(.GET, "/programmes/yntymaktuu-jashoo").body.string
            #expect(alert.contains("International Alert") && alert.contains("Улуттук медиация борбору"))
            #expect(alert.contains("Грант алуучулардын саны: 25"))
        }
    }

    @Test("seed 004's view: grantees grouped by oblast, in Kyrgyz order, with legal form, place, title and goal")
    func granteesByOblast() async throws {
        try await withDemilge { app in
            let page = try await app.testing().sendRequest(.GET, "/programmes/yntymaktuu-jashoo/grantees").body.string
            let sections = ["id=\"KG-B\"", "id=\"KG-J\"", "id=\"KG-N\"", "id=\"KG-O\"", "id=\"KG-T\"", "id=\"KG-C\"", "id=\"KG-Y\""]
            let positions = sections.compactMap { page.range(of: $0)?.lowerBound }
            #expect(positions.count == 7 && positions == positions.sorted())
            #expect(page.contains("Корнелиус Коому</a> КФ"))
            #expect(page.contains("(Токмок ш.)"))
            #expect(page.contains("«Биримдик үчүн»"))
            #expect(page.components(separatedBy: "<article class=\"project\">").count - 1 == 25)
        }
    }

    @Test("territories export as CSV that imports back unchanged")
    func territoriesCSV() async throws {
        try await withDemilge { app in
            let response = try await app.testing().sendRequest(.GET, "/territories.csv")
            #expect(response.headers.contentType?.subType == "csv")
            guard case .success(let records) = TerritoryCSV.parse(response.body.string, existing: [:]) else {
                Issue.record("exported CSV does not parse"); return
            }
            #expect(records.count == 84)
            #expect(records.first { $0.code == "KG-O" }?.name == LocalizedText(ky: "Ош облусу", ru: "Ошская область", en: "Osh Region"))
            let summary = try await TerritoryImporter.apply(records, mode: .createOrUpdate, by: .system("test"), on: app.db)
            #expect(summary == .init(created: 0, updated: 0, unchanged: 84))
        }
    }

    @Test("pages carry an ETag; a repeat visit gets 304 until the page changes")
    func conditionalGet() async throws {
        try await withDemilge { app in
            let first = try await app.testing().sendRequest(.GET, "/territories/KG-O-nookat")
            let tag = try #require(first.headers.first(name: .eTag))
            let again = try await app.testing().sendRequest(.GET, "/territories/KG-O-nookat", headers: ["If-None-Match": tag])
            #expect(again.status == .notModified)
            #expect(again.body.readableBytes == 0)
            let russian = try await app.testing().sendRequest(.GET, "/territories/KG-O-nookat", headers: ["If-None-Match": tag, "Cookie": "lang=ru"])
            #expect(russian.status == .ok, "another language is another page")
            let territory = try #require(try await Territory.query(on: app.db).filter(\.$code == "KG-O-nookat").first())
            territory.nameKy = "Ноокат району (жаңы)"
            // Through the one write path, as every change is made: the pages kept for visitors are made again.
            try await app.write { db in try await territory.update(on: db) }
            let changed = try await app.testing().sendRequest(.GET, "/territories/KG-O-nookat", headers: ["If-None-Match": tag])
            #expect(changed.status == .ok && changed.body.string.contains("Ноокат району (жаңы)"))
        }
    }

    @Test("home page shows what Demilge is, the programmes and the latest public activity")
    func home() async throws {
        try await withDemilge { app in
            let page = try await app.testing().sendRequest(.GET, "/").body.string
            #expect(page.contains("Демилге — жергиликтүү демилгелер ачык"))
            for slug in ["araket", "vap", "active-citizens", "yntymaktuu-jashoo"] { #expect(page.contains("/programmes/\(slug)\"")) }
            #expect(page.contains("Комиссия негизги көйгөйдү тандады:") && page.contains("Көйгөй көтөрүлдү:") && page.contains("Демилгелүү топ түзүлдү:"))
            #expect(!page.contains("user:") && !page.contains("@demilge.kg"), "no personal data in public activity")
        }
    }
}
