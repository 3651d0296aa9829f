@testable import DemilgeApp
import DemilgeCore
import Fluent
import Testing
import Vapor

@Suite("Demo data from the seeds")
struct SeedTests {
    @Test("every oblast and republican city with its ISO code, all 40 raions and the places the seeds name")
    func territories() async throws {
        try await withDemilge(Self.checkTerritories)
    }

    static func checkTerritories(_ app: Application) async throws {
        do {
            let all = try await Territory.query(on: app.db).all()
            let oblasts = all.filter { $0.kind == .oblast }
            #expect(Set(oblasts.compactMap(\.isoCode)) == ["KG-B", "KG-C", "KG-J", "KG-N", "KG-O", "KG-T", "KG-Y"])
            #expect(Set(all.filter { $0.kind == .republicanCity }.compactMap(\.isoCode)) == ["KG-GB", "KG-GO"])
            let raions = all.filter { $0.kind == .raion }
            #expect(raions.count == 40)
            let perOblast = Dictionary(grouping: raions, by: { $0.$parent.id! }).mapValues(\.count)
            let expected = ["KG-B": 3, "KG-J": 8, "KG-Y": 5, "KG-N": 5, "KG-O": 7, "KG-T": 4, "KG-C": 8]
            for oblast in oblasts { #expect(perOblast[oblast.id!] == expected[oblast.code], "\(oblast.code)") }
            #expect(all.filter { $0.kind == .cityDistrict }.count == 4)
            for name in ["Жазы", "Гүлистан", "Чоң-Алай", "Курама", "Ленин", "Түп", "Кочкор", "Каргалык", "Покровка",
                         "Суу-Башы", "Бирлик", "Сумбула", "Кызыл-Адыр"] {
                #expect(all.contains { $0.kind == .ayilAimak && $0.nameKy == "\(name) айыл аймагы" }, "\(name)")
            }
            #expect(all.contains { $0.code == "KG-T-aitmatov" && $0.aliasList.contains("Кара-Буура") })
            let osh = try #require(all.first { $0.code == "KG-GO" })
            let settlements = all.filter { $0.$parent.id == osh.id && $0.kind == .settlement }.map(\.nameKy)
            #expect(Set(settlements) == ["Манас-Ата", "Алай 1", "Алай 2", "Эдельвейс"])
            for territory in all where territory.kind != .settlement {
                #expect(territory.nameRu?.isEmpty == false && territory.nameEn?.isEmpty == false, "\(territory.code) lacks ru/en")
            }
        }
    }

    @Test("the four programmes carry the facts the seeds give")
    func programmes() async throws {
        try await withDemilge { app in
            func programme(_ slug: String) async throws -> Programme {
                try #require(try await Programme.query(on: app.db).filter(\.$slug == slug)
                    .with(\.$donor).with(\.$implementer).with(\.$partners).with(\.$grantees).first())
            }
            let active = try await programme("active-citizens")
            #expect(active.nameKy == "Жигердүү жарандар")
            #expect(active.donor?.slug == "usaid")
            #expect(active.implementer?.slug == "fhi-360")
            #expect(Set(active.partners.map(\.slug)) == ["acted", "ferghana-valley-lawyers"])
            #expect(active.budget == Money.whole(14_000_000, .usd))
            #expect(active.national)
            #expect(active.startMonth == YearMonth("2019-10") && active.endMonth == YearMonth("2024-09"))

            let alert = try await programme("yntymaktuu-jashoo")
            #expect(alert.donor?.slug == "european-union")
            #expect(alert.implementer?.slug == "international-alert")
            #expect(Set(alert.partners.map(\.slug)) == ["dpi", "national-mediation-center"])
            #expect(alert.grantees.count == 25)
            #expect(alert.startMonth?.formatted(.ky) == "апрель 2021-ж.")
            #expect(alert.endMonth?.formatted(.ru) == "сентябрь 2022 г.")

            let vap = try await programme("vap")
            #expect(vap.nameKy == "Элдин үнү жана ЖӨБ органдарынын жоопкерчилиги: бюджеттик процесс")
            #expect(vap.implementer?.slug == "dpi")
            #expect(vap.donor?.slug == "swiss-government")
            #expect(vap.partners.contains { $0.slug == "union-of-lsg" })

            let araket = try await programme("araket")
            #expect(araket.donor?.slug == "swiss-government")
            #expect(araket.nameKy.hasPrefix("Аракет"))
        }
    }

    @Test("seed 004's 25 civil-society grantees with legal form, place, oblast, project title and goal")
    func grantees() async throws {
        try await withDemilge { app in
            let directory = try await TerritoryDirectory.load(on: app.db)
            let grantees = try await ProgrammeGrantee.query(on: app.db).with(\.$organisation).all()
            #expect(grantees.count == 25)
            var perOblast: [String: Int] = [:]
            for grantee in grantees {
                #expect(!grantee.titleKy.isEmpty && !grantee.goalKy.isEmpty)
                #expect(grantee.organisation.place?.isEmpty == false)
                #expect(grantee.organisation.kind == .cso)
                let territory = try #require(directory.byID[grantee.$territory.id])
                perOblast[directory.topLevel(of: territory).code, default: 0] += 1
            }
            #expect(perOblast == ["KG-C": 4, "KG-Y": 2, "KG-O": 5, "KG-N": 2, "KG-J": 7, "KG-B": 3, "KG-T": 2])
            let byName = Dictionary(uniqueKeysWithValues: grantees.map { ($0.organisation.nameKy, $0) })
            #expect(byName["Корнелиус Коому"]?.organisation.legalForm == "KF")
            #expect(byName["Тынчтык"]?.organisation.legalForm == "KB")
            #expect(byName["Корнелиус Коому"]?.titleKy == "Биримдик үчүн")
            #expect(byName["Оңол Айым"]?.titleKy == "Ынтымактуу Жашоо = Жаратылышты Сактоо")
        }
    }

    @Test("loading the demo data a second time changes nothing")
    func idempotent() async throws {
        try await withDemilge { app in
            let before = try await Snapshot.take(app.db)
            let programmes = try await Programme.query(on: app.db).count()
            let links = try await ProgrammeGrantee.query(on: app.db).count() + ProgrammePartner.query(on: app.db).count() + ProgrammeRegion.query(on: app.db).count()
            let report = try await DemoData.load(into: app)
            #expect(report == DemoData.Report(territories: .init(created: 0, updated: 0, unchanged: 84)))
            #expect(try await Snapshot.take(app.db) == before)
            #expect(try await Programme.query(on: app.db).count() == programmes)
            #expect(try await ProgrammeGrantee.query(on: app.db).count() + ProgrammePartner.query(on: app.db).count() + ProgrammeRegion.query(on: app.db).count() == links)
        }
    }
}
