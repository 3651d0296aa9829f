import DemilgeCore
import Fluent
import Leaf
import SQLKit
import Vapor

/// Options that differ between a served app and a test.
public struct AppOptions: Sendable {
    public var database: DatabaseSelection
    /// bcrypt cost: 12 when serving, the minimum in tests where speed matters more.
    public var bcryptCost: Int
    /// Where the public reaches the site (`DEMILGE_PUBLIC_URL`), for links in feeds and open data.
    public var publicURL: String?
    /// Memory for public pages kept rendered (`PageCache`): `DEMILGE_PAGE_CACHE_MB`, 48 MB unless set; 0 keeps none.
    public var pageCacheBytes: Int

    public init(database: DatabaseSelection, bcryptCost: Int = 12, publicURL: String? = Environment.get("DEMILGE_PUBLIC_URL"),
                pageCacheBytes: Int = AppOptions.pageCacheFromEnvironment()) {
        self.database = database
        self.bcryptCost = bcryptCost
        self.publicURL = publicURL
        self.pageCacheBytes = pageCacheBytes
    }

    public static func pageCacheFromEnvironment() -> Int {
        let megabytes = Environment.get("DEMILGE_PAGE_CACHE_MB").flatMap { Int($0) }.map { min(max($0, 0), 4_096) } ?? 48
        return megabytes << 20
    }

    public static func fromEnvironment() -> AppOptions {
        AppOptions(database: .fromEnvironment())
    }
}

public func configure(_ app: Application, options: AppOptions = .fromEnvironment()) async throws {
    app.catalog = try Catalog.load(directory: URL(fileURLWithPath: app.directory.resourcesDirectory).appendingPathComponent("Localization"))

    try options.database.install(on: app)
    Migrations.register(on: app)

    app.passwords.use(.bcrypt(cost: options.bcryptCost))
    app.routes.defaultMaxBodySize = BodyLimits.form
    app.writeGate = WriteGate(serialises: !options.database.isPostgres)
    app.installWriteCounter()
    ServerKeys.install(on: app)
    app.installDecoyPasswordHash()
    app.territoryCache = TerritoryDirectoryCache()
    app.dataVersion = DataVersion()
    app.placeFiguresMirror = PlaceFiguresMirror()
    app.lifecycle.use(DataVersionWatcher())
    app.pageCache = options.pageCacheBytes > 0 ? PageCache(capacity: options.pageCacheBytes) : nil
    PublicURL.install(try options.publicURL.map(PublicURL.parse) ?? PublicURL.fallback, on: app)
    app.mailSettings = MailSettings.fromEnvironment(app)

    app.databases.middleware.use(SearchIndexMiddleware<Problem>())
    app.databases.middleware.use(SearchIndexMiddleware<InitiativeGroup>())
    app.databases.middleware.use(SearchIndexMiddleware<BudgetProject>())
    app.databases.middleware.use(SearchIndexMiddleware<GrantCall>())
    app.databases.middleware.use(SearchIndexMiddleware<GrantApplication>())
    app.databases.middleware.use(SearchIndexMiddleware<Organisation>())
    app.databases.middleware.use(SearchIndexMiddleware<Territory>())
    app.databases.middleware.use(SearchIndexMiddleware<Event>())
    app.databases.middleware.use(SearchIndexMiddleware<Practice>())
    app.sessions.use { GatedSessionDriver(inner: $0.fluent.sessions.driver()) }
    app.sessions.configuration.cookieName = PageCacheMiddleware.sessionCookie
    let secure = PublicURL.securesCookies(app)
    app.sessions.configuration.cookieFactory = { sessionID in
        HTTPCookies.Value(string: sessionID.string, expires: Date().addingTimeInterval(Double(SessionLifetime.absolute / 1000)),
                          path: "/", isSecure: secure, isHTTPOnly: true, sameSite: .lax)
    }

    ServiceMetrics.install()
    let assets = StaticAssets.load(from: app.directory.publicDirectory)
    app.views.use(.leaf)
    app.leaf.tags["t"] = TranslateTag()
    app.leaf.tags["percent"] = PercentTag()
    app.leaf.tags["path"] = SitePathTag()
    app.leaf.tags["asset"] = AssetTag(assets: assets)
    app.leaf.cache.isEnabled = app.environment.isRelease

    // HTML, CSS, CSV and JSON go gzipped to a client that accepts it (a phone on a slow connection); images do not.
    app.http.server.configuration.responseCompression = .enabledForCompressibleTypes
    app.middleware = Middlewares()
    app.middleware.use(RequestIDMiddleware())
    app.middleware.use(SecurityHeadersMiddleware(strictTransport: secure))
    app.middleware.use(ETagMiddleware())
    app.middleware.use(ErrorPageMiddleware())
    app.middleware.use(RejectNULMiddleware())
    app.middleware.use(StaticFilesMiddleware(assets: assets))
    app.middleware.use(PageCacheMiddleware())
    app.middleware.use(app.sessions.middleware)
    app.middleware.use(CurrentUserMiddleware())
    app.middleware.use(CSRFMiddleware(secureCookies: secure))

    app.asyncCommands.use(MigrateCommand(), as: "migrate")
    app.asyncCommands.use(SeedCommand(), as: "seed")
    app.asyncCommands.use(AuditCommandGroup(), as: "audit")
    app.asyncCommands.use(FiguresCommandGroup(), as: "figures")
    app.asyncCommands.use(BackupCommand(), as: "backup")
    app.asyncCommands.use(RestoreCommand(), as: "restore")
    app.asyncCommands.use(AdminCommandGroup(), as: "admin")

    try routes(app)
}

enum Migrations {
    static func register(on app: Application) {
        app.migrations.add(M001_CreateTerritories())
        app.migrations.add(M002_CreateOrganisations())
        app.migrations.add(M003_CreateProgrammes())
        app.migrations.add(M004_CreateUsers())
        app.migrations.add(M005_CreateAudit())
        app.migrations.add(M006_CreateProblems())
        app.migrations.add(M007_CreateAssessments())
        app.migrations.add(M008_CreateCommissions())
        app.migrations.add(M009_CreateInitiativeGroups())
        app.migrations.add(M010_ProblemGroup())
        app.migrations.add(M011_CreateBudgetRounds())
        app.migrations.add(M012_CreateGrants())
        app.migrations.add(M013_CreateSearchEntries())
        app.migrations.add(M014_CreateEvents())
        app.migrations.add(M015_CreatePractices())
        app.migrations.add(M016_ConflictWithdrawal())
        app.migrations.add(M017_CreateRoundResults())
        app.migrations.add(M018_ReconcileEditedMigrations())
        app.migrations.add(M019_MarkGenerated())
        app.migrations.add(M020_QueryIndexes())
        app.migrations.add(M021_SearchFullText())
        app.migrations.add(M022_CoveringCounts())
        app.migrations.add(M023_CreatePlaceFigures())
        app.migrations.add(M024_ProblemListIndexes())
        app.migrations.add(M025_CreateOutbox())
        app.migrations.add(M026_KeyedAudit())
        app.migrations.add(M027_ResidentRoll())
        app.migrations.add(M028_AccountSafety())
        app.migrations.add(M029_Notifications())
        app.migrations.add(M030_ResetRequests())
        app.migrations.add(M031_FiguresByMonth())
        app.migrations.add(M032_SearchKeysAgain())
        app.migrations.add(M033_RuleReason())
        app.migrations.add(SessionRecord.migration)
    }
}

/// Migrates, then loads the demo data when the database is empty (what `demilge serve` does first).
public func prepareForServing(_ app: Application) async throws {
    if case .sqliteFile = DatabaseSelection.fromEnvironment(), let sql = app.db as? any SQLDatabase {
        // Readers no longer wait for the writer; the setting stays in the file.
        try await sql.raw("PRAGMA journal_mode=WAL").run()
    }
    try await app.autoMigrate()
    if DemoAccounts.isProduction {
        guard AuditKey.isConfigured else { throw AuditKey.Missing() }
        guard ServerKeys.isConfigured else { throw ServerKeys.Missing() }
        let password = DemoAccounts.password
        let hasher = app.password
        let open = try await DemoAccounts.stillOpen(on: app.db) { hash in (try? await hasher.async.verify(password, created: hash).get()) ?? false }
        guard open.isEmpty else { throw DemoAccounts.StillOpen(emails: open) }
        if try await User.query(on: app.db).count() == 0 {
            app.logger.notice("No accounts yet: create the first administrator with `demilge admin create EMAIL`.")
        }
    } else if try await DemoData.isEmpty(app.db) {
        let report = try await DemoData.load(into: app)
        app.logger.notice("Loaded demo data: \(report)")
    }
    // A count interrupted by a restart, or rounds from before results were stored.
    try await RoundResultStore.backfill(app)
    // Each place's figures, on a database migrated from before they were stored.
    try await PlaceFiguresStore.ensureBuilt(app)
    app.lifecycle.use(OutboxWorker())
}
