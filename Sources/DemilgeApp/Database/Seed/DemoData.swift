import DemilgeCore
import Fluent
import Foundation
import Vapor

/// The demo data drawn from the five seed texts: territories, organisations, programmes,
/// seed 004's grantees and a few demo accounts. Loading it twice changes nothing.
enum DemoData {
    static let actor = AuditActor.system("seed")

    struct Report: Equatable, CustomStringConvertible {
        var territories = TerritoryImporter.Summary()
        var organisations = 0
        var programmes = 0
        var links = 0
        var users = 0
        var communities = 0
        var rounds = 0
        var grants = 0
        var events = 0

        var description: String {
            "territories +\(territories.created), organisations +\(organisations), programmes +\(programmes), links +\(links), users +\(users), communities +\(communities), rounds +\(rounds), grants +\(grants), events +\(events)"
        }
    }

    static func isEmpty(_ db: any Database) async throws -> Bool {
        try await Territory.query(on: db).count() == 0
    }

    static func load(into app: Application) async throws -> Report {
        let directory = URL(fileURLWithPath: app.directory.resourcesDirectory).appendingPathComponent("Seed")
        let password = Environment.get("DEMILGE_DEMO_PASSWORD") ?? "demilge-demo"
        let passwordHash = try await app.password.async.hash(password).get()
        let report = try await app.write { db in
            try await load(from: directory, demoPasswordHash: passwordHash, on: db)
        }
        // The demo's counted and published rounds get their stored results, as if their voting had just closed.
        try await RoundResultStore.backfill(app)
        try await PlaceFiguresStore.rebuildAll(on: app.db)
        return report
    }

    static func load(from directory: URL, demoPasswordHash: String, on db: any Database) async throws -> Report {
        var report = Report()
        let csv = try String(contentsOf: directory.appendingPathComponent("territories.csv"), encoding: .utf8)
        switch TerritoryCSV.parse(csv, existing: [:]) {
        case .success(let records):
            report.territories = try await TerritoryImporter.apply(records, mode: .createOnly, by: actor, on: db)
        case .failure(let errors):
            throw SeedError.invalidTerritories(errors.lines.map { "line \($0.line): \($0.catalogKey) \($0.detail)" })
        }
        let territories = try await Territory.query(on: db).all()
        let territoryID = Dictionary(firstValues: territories.compactMap { t in t.id.map { (t.code, $0) } })
        func requiredTerritory(_ code: String) throws -> UUID {
            guard let id = territoryID[code] else { throw SeedError.unknownTerritory(code) }
            return id
        }
        func territory(_ code: String?) throws -> UUID? {
            guard let code else { return nil }
            return try requiredTerritory(code)
        }

        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let organisations = try decoder.decode([SeedOrganisation].self, from: Data(contentsOf: directory.appendingPathComponent("organisations.json")))
        let programmes = try decoder.decode([SeedProgramme].self, from: Data(contentsOf: directory.appendingPathComponent("programmes.json")))

        var organisationID: [String: UUID] = [:]
        func ensureOrganisation(slug: String, make: () throws -> Organisation) async throws -> UUID {
            if let id = organisationID[slug] { return id }
            if let existing = try await Organisation.query(on: db).filter(\.$slug == slug).first() {
                organisationID[slug] = existing.id
                return (try existing.requireID())
            }
            let organisation = try make()
            try await organisation.create(on: db)
            try await AuditLog.record(on: db, by: actor, action: "organisation.create", entityType: "organisation",
                                      entityID: slug, after: organisation.snapshot)
            report.organisations += 1
            organisationID[slug] = organisation.id
            return (try organisation.requireID())
        }

        for seed in organisations {
            _ = try await ensureOrganisation(slug: seed.slug) {
                guard let kind = OrganisationKind(rawValue: seed.kind) else { throw SeedError.unknownKind(seed.kind) }
                return Organisation(slug: seed.slug, kind: kind, legalForm: seed.legalForm.flatMap(LegalForm.init(rawValue:)),
                                    name: seed.name, territoryID: try territory(seed.territory), place: seed.place, website: seed.website)
            }
        }

        func knownOrganisation(_ slug: String) throws -> UUID {
            guard let id = organisationID[slug] else { throw SeedError.unknownOrganisation(slug) }
            return id
        }

        for seed in programmes {
            let programme: Programme
            if let existing = try await Programme.query(on: db).filter(\.$slug == seed.slug).first() {
                programme = existing
            } else {
                programme = Programme()
                programme.slug = seed.slug
                programme.nameKy = seed.name.ky
                programme.nameRu = seed.name.ru
                programme.nameEn = seed.name.en
                programme.summaryKy = seed.summary.ky
                programme.summaryRu = seed.summary.ru
                programme.summaryEn = seed.summary.en
                programme.$donor.id = try seed.donor.map(knownOrganisation)
                programme.$implementer.id = try seed.implementer.map(knownOrganisation)
                programme.startMonth = try seed.start.map(month)
                programme.endMonth = try seed.end.map(month)
                programme.budgetMinor = seed.budget?.minorUnits
                programme.budgetCurrency = seed.budget?.currency
                programme.national = seed.national
                programme.goals = seed.goals
                programme.sources = seed.sources.joined(separator: ",")
                try await programme.create(on: db)
                try await AuditLog.record(on: db, by: actor, action: "programme.create", entityType: "programme",
                                          entityID: seed.slug, after: ["slug": seed.slug, "name": seed.name.ky])
                report.programmes += 1
            }
            let programmeID = try programme.requireID()
            for partner in seed.partners {
                guard let id = organisationID[partner] else { throw SeedError.unknownOrganisation(partner) }
                if try await ProgrammePartner.query(on: db).filter(\.$programme.$id == programmeID).filter(\.$organisation.$id == id).first() == nil {
                    let link = ProgrammePartner()
                    link.$programme.id = programmeID
                    link.$organisation.id = id
                    try await link.create(on: db)
                    report.links += 1
                }
            }
            for code in seed.regions {
                guard let id = try territory(code) else { continue }
                if try await ProgrammeRegion.query(on: db).filter(\.$programme.$id == programmeID).filter(\.$territory.$id == id).first() == nil {
                    let link = ProgrammeRegion()
                    link.$programme.id = programmeID
                    link.$territory.id = id
                    try await link.create(on: db)
                    report.links += 1
                }
            }
            for grantee in seed.grantees ?? [] {
                let orgID = try await ensureOrganisation(slug: grantee.slug) {
                    Organisation(slug: grantee.slug, kind: .cso, legalForm: grantee.legalForm.flatMap(LegalForm.init(rawValue:)),
                                 name: LocalizedText(ky: grantee.name), territoryID: try territory(grantee.territory),
                                 place: grantee.place, website: nil)
                }
                if try await ProgrammeGrantee.query(on: db).filter(\.$programme.$id == programmeID).filter(\.$organisation.$id == orgID).first() == nil {
                    let link = ProgrammeGrantee()
                    link.$programme.id = programmeID
                    link.$organisation.id = orgID
                    link.$territory.id = try requiredTerritory(grantee.territory)
                    link.titleKy = grantee.title
                    link.goalKy = grantee.goal
                    try await link.create(on: db)
                    try await AuditLog.record(on: db, by: actor, action: "grantee.create", entityType: "programme",
                                              entityID: seed.slug, after: ["organisation": grantee.slug, "title": grantee.title])
                    report.links += 1
                }
            }
        }

        let demoUsers: [(email: String, name: String, role: Role, scope: DemoScope)] = [
            ("admin@demilge.kg", "Администратор", .administrator, .global),
            ("facilitator.nookat@demilge.kg", "Айгүл Токтосунова", .facilitator, .territory("KG-O-nookat")),
            ("manager.alert@demilge.kg", "Бакыт Жумабеков", .programmeManager, .programme("yntymaktuu-jashoo")),
            ("resident.manas-ata@demilge.kg", "Нурлан Асанов", .resident, .territory("KG-GO-manas-ata")),
            ("staff.osh@demilge.kg", "Жылдыз Осмонова", .municipalStaff, .territory("KG-GO")),
            ("manager.araket@demilge.kg", "Самара Бейшеналиева", .programmeManager, .programme("araket")),
            ("monitor.osh@demilge.kg", "Бектур Сыдыков", .monitor, .territory("KG-GO")),
            ("reviewer.one@demilge.kg", "Гүлнара Абдыкадырова", .commissionMember, .programme("araket")),
            ("reviewer.two@demilge.kg", "Тимур Мамытов", .commissionMember, .programme("araket")),
            ("applicant.manas-ata@demilge.kg", "Азамат Токтогулов", .resident, .territory("KG-GO-manas-ata")),
            ("applicant.cso@demilge.kg", "Чолпон Иманалиева", .resident, .territory("KG-C-tokmok-city")),
            ("applicant.alay@demilge.kg", "Бактыгүл Маматова", .resident, .territory("KG-GO-alay-1")),
            ("applicant.edelweiss@demilge.kg", "Эрлан Садыков", .resident, .territory("KG-GO-edelweiss")),
        ]
        for demo in demoUsers where try await User.query(on: db).filter(\.$email == demo.email).first() == nil {
            let user = User(email: demo.email, displayName: demo.name, passwordHash: demoPasswordHash)
            user.emailConfirmedMillis = Date().millis
            try await user.create(on: db)
            let scope: RoleScope
            switch demo.scope {
            case .global: scope = .global
            case .territory(let code): scope = .territory(try requiredTerritory(code))
            case .programme(let slug):
                guard let id = try await Programme.query(on: db).filter(\.$slug == slug).first()?.id else { throw SeedError.unknownProgramme(slug) }
                scope = .programme(id)
            }
            let assignment = RoleAssignment(userID: try user.requireID(), grant: RoleGrant(demo.role, scope))
            try await assignment.create(on: db)
            try await AuditLog.record(on: db, by: actor, action: "user.create", entityType: "user",
                                      entityID: user.idString, after: user.snapshot)
            try await AuditLog.record(on: db, by: actor, action: "role.grant", entityType: "user",
                                      entityID: user.idString, after: assignment.snapshot)
            report.users += 1
        }
        report.communities = try await CommunityDemo.load(from: directory, on: db)
        report.rounds = try await BudgetingDemo.load(on: db)
        report.grants = try await GrantsDemo.load(on: db)
        report.events = try await EventsDemo.load(on: db)
        // Bulk inserts (territories) skip the model middleware: search is built once over everything.
        _ = try await SearchIndex.rebuild(on: db)
        return report
    }

    private enum DemoScope { case global, territory(String), programme(String) }

    static func month(_ text: String) throws -> YearMonth {
        guard let month = YearMonth(text) else { throw SeedError.badMonth(text) }
        return month
    }
}

enum SeedError: Error, CustomStringConvertible {
    case invalidTerritories([String])
    case unknownTerritory(String)
    case unknownOrganisation(String)
    case unknownProgramme(String)
    case unknownKind(String)
    case badMonth(String)
    case invalidGrantStep(String)

    var description: String {
        switch self {
        case .invalidTerritories(let lines): "territories.csv: " + lines.joined(separator: "; ")
        case .unknownTerritory(let code): "unknown territory \(code)"
        case .unknownOrganisation(let slug): "unknown organisation \(slug)"
        case .unknownProgramme(let slug): "unknown programme \(slug)"
        case .unknownKind(let kind): "unknown organisation kind \(kind)"
        case .badMonth(let text): "bad month \(text) (want YYYY-MM)"
        case .invalidGrantStep(let refusal): "grant demo step refused: \(refusal)"
        }
    }
}

private struct SeedOrganisation: Decodable {
    var slug: String
    var kind: String
    var legalForm: String?
    var name: LocalizedText
    var territory: String?
    var place: String?
    var website: String?
}

private struct SeedProgramme: Decodable {
    struct Budget: Decodable { var minorUnits: Int64; var currency: String }
    struct Grantee: Decodable {
        var slug: String, name: String, legalForm: String?, territory: String, place: String, title: String, goal: String
    }
    var slug: String
    var name: LocalizedText
    var summary: LocalizedText
    var donor: String?
    var implementer: String?
    var partners: [String]
    var start: String?
    var end: String?
    var budget: Budget?
    var national: Bool
    var regions: [String]
    var goals: [LocalizedText]
    var grantees: [Grantee]?
    var sources: [String]
}
