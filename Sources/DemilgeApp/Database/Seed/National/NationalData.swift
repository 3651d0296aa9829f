import DemilgeCore
import Fluent
import Vapor

/// `demilge seed --scale national`: a whole country on top of the demo data — every municipality and ~1,800
/// settlements (invented names where the seeds give none, marked `generated`), residents, problems with their
/// supports and comments, needs-assessment sessions, budgeting rounds with their ballots and stored results, grant
/// calls with applications, contracts, payments and monitoring visits, and the audit entries for all of it. The
/// same seed and scale give the same data on SQLite and PostgreSQL.
struct NationalData {
    typealias Progress = @Sendable (_ step: String, _ done: Int, _ total: Int) -> Void

    struct Report: CustomStringConvertible, Sendable {
        var counts: [(String, Int)] = []
        /// Seconds each step took, for the benchmark notes.
        var seconds: [(String, Double)] = []
        var alreadyLoaded = false
        var description: String {
            alreadyLoaded ? "national data already loaded"
                : counts.map { "\($0.1) \($0.0)" }.joined(separator: ", ") + " (" + seconds.map { "\($0.0) \(Int($0.1.rounded())) s" }.joined(separator: ", ") + ")"
        }
    }

    struct Place { let id: UUID; let municipality: Int }

    let app: Application
    let scale: NationalScale
    let progress: Progress
    var random: SeedRandom
    var report = Report()
    /// Every day the data spans: 1 January 2021 to 30 November 2026.
    let firstDay = Day(year: 2021, month: 1, day: 1) ?? Day.today()
    let days = 2_160

    var municipalities: [Territory] = []
    var places: [Place] = []
    var residents: [UUID] = []
    /// Generated organisations with the municipality each works in.
    var organisations: [(id: UUID, territory: UUID)] = []
    var problemsByMunicipality: [[UUID]] = []
    var audit: BulkAudit

    static func load(into app: Application, scale: NationalScale, seed: UInt64 = 1, progress: @escaping Progress = { _, _, _ in }) async throws -> Report {
        try await app.autoMigrate()
        _ = try await DemoData.load(into: app)
        if try await User.query(on: app.db).filter(\.$email == Self.email(of: 0)).first() != nil { return Report(alreadyLoaded: true) }
        var data = NationalData(app: app, scale: scale, progress: progress, random: SeedRandom(seed: seed), audit: try await BulkAudit.start(app))
        try await data.timed("places") { try await $0.territories() }
        try await data.timed("people") { try await $0.people() }
        try await data.timed("problems") { try await $0.problems() }
        try await data.timed("sessions") { try await $0.sessions() }
        try await data.timed("rounds") { try await $0.rounds() }
        try await data.timed("grants") { try await $0.grants() }
        try await data.audit.flush()
        data.report.counts.append(("audit entries", data.audit.written))
        // Written in bulk, past `Application.write`: each place's figures are computed once, now.
        try await data.timed("figures") { data in
            let progress = data.progress
            try await PlaceFiguresStore.rebuildAll(on: data.app.db) { done, total in progress("figures", done, total) }
        }
        return data.report
    }

    private init(app: Application, scale: NationalScale, progress: @escaping Progress, random: SeedRandom, audit: BulkAudit) {
        self.app = app
        self.scale = scale
        self.progress = progress
        self.random = random
        self.audit = audit
    }

    private mutating func timed(_ step: String, _ body: (inout NationalData) async throws -> Void) async throws {
        let started = Date()
        try await body(&self)
        report.seconds.append((step, Date().timeIntervalSince(started)))
    }

    /// Generated residents' addresses: nobody's mailbox.
    static let emailDomain = "generated.demilge.kg"

    static func email(of resident: Int) -> String { "resident\(resident + 1)@\(emailDomain)" }

    mutating func day() -> Day { firstDay.adding(days: random.int(in: 0...(days - 1))) }

    /// A place where residents live: a municipality or one of its settlements.
    mutating func place() -> Place { random.pick(places) }

    // MARK: - Territories and people

    mutating func territories() async throws {
        let all = try await Territory.query(on: app.db).all()
        let raions = all.filter { $0.kind == .raion }.sorted { $0.code < $1.code }
        municipalities = all.filter { [.ayilAimak, .city].contains($0.kind) }.sorted { $0.code < $1.code }
        var writer = BulkWriter<Territory>(app)
        let newMunicipalities = max(0, scale.municipalities - municipalities.count)
        for n in 0..<newMunicipalities {
            let raion = raions[n % raions.count]
            let name = NationalNames.place(&random)
            let aimak = Territory(id: random.uuid(), code: "\(raion.code)-g\(n + 1)", kind: .ayilAimak, parentID: raion.id, isoCode: nil,
                                  name: LocalizedText(ky: "\(name) айыл аймагы", ru: nil), aliases: [])
            aimak.generated = true
            writer.add(aimak)
            try await writer.flushIfFull()
            municipalities.append(aimak)
            progress("territories", n + 1, newMunicipalities)
        }
        let aimaks = municipalities.indices.filter { municipalities[$0].kind == .ayilAimak }
        places = municipalities.indices.compactMap { index in municipalities[index].id.map { Place(id: $0, municipality: index) } }
        let existingSettlements = all.filter { $0.kind == .settlement }.count
        let newSettlements = max(0, scale.settlements - existingSettlements)
        for n in 0..<newSettlements {
            let index = aimaks[n % aimaks.count]
            let village = Territory(id: random.uuid(), code: "\(municipalities[index].code)-s\(n + 1)", kind: .settlement,
                                    parentID: municipalities[index].id, isoCode: nil, name: LocalizedText(ky: NationalNames.place(&random), ru: nil), aliases: [])
            village.generated = true
            writer.add(village)
            try await writer.flushIfFull()
            if let id = village.id { places.append(Place(id: id, municipality: index)) }
            progress("territories", newMunicipalities + n + 1, newMunicipalities + newSettlements)
        }
        try await writer.flush()
        problemsByMunicipality = Array(repeating: [], count: municipalities.count)
        report.counts.append(("places", writer.written))
    }

    mutating func people() async throws {
        // One hash for every generated resident, of a password nobody knows: they cannot sign in.
        let hash = try Bcrypt.hash(random.uuid().uuidString, cost: 6)
        var users = BulkWriter<User>(app)
        for n in 0..<scale.residents {
            let user = User(email: Self.email(of: n), displayName: NationalNames.person(&random), passwordHash: hash)
            user.emailConfirmedMillis = 0
            user.id = random.uuid()
            users.add(user)
            try await users.flushIfFull()
            if let id = user.id { residents.append(id) }
            if n % 1_000 == 0 { progress("residents", n, scale.residents) }
        }
        try await users.flush()
        var writer = BulkWriter<Organisation>(app)
        for n in 0..<scale.organisations {
            let home = random.pick(municipalities)
            let organisation = Organisation(slug: "generated-cso-\(n + 1)", kind: .cso, legalForm: .publicAssociation,
                                            name: LocalizedText(ky: "\(NationalNames.place(&random)) коомдук бирикмеси", ru: nil),
                                            territoryID: home.id, place: nil, website: nil)
            organisation.id = random.uuid()
            organisation.generated = true
            writer.add(organisation)
            try await writer.flushIfFull()
            if let id = organisation.id, let territory = home.id { organisations.append((id, territory)) }
        }
        try await writer.flush()
        report.counts.append(("residents", users.written))
        report.counts.append(("organisations", writer.written))
    }
}
