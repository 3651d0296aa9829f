@testable import DemilgeApp
import DemilgeCore
import Fluent
import NIOConcurrencyHelpers
import SQLKit
import Testing
import Vapor
import VaporTesting

/// The database the suite runs on: in-memory SQLite, or the PostgreSQL in `TEST_DATABASE_URL`.
enum TestDatabase {
    static var selection: DatabaseSelection {
        if let url = Environment.get("TEST_DATABASE_URL"), !url.isEmpty { return .postgres(url) }
        return .sqliteMemory
    }

    /// PostgreSQL databases tests may take turns on: `TEST_DATABASE_POOL` (space-separated URLs, made by
    /// scripts/start-postgres) lets that many tests run at once, each on its own database; else the one URL.
    static var pool: [String] {
        let urls = (Environment.get("TEST_DATABASE_POOL") ?? "").split(separator: " ").map(String.init).filter { !$0.isEmpty }
        if !urls.isEmpty { return urls }
        if case .postgres(let url) = selection { return [url] }
        return []
    }
}

/// Hands each app test on PostgreSQL a database of its own from the pool (tests wait when all are taken).
actor DatabaseGate {
    static let shared = DatabaseGate()
    private var free = TestDatabase.pool
    private var waiters: [CheckedContinuation<String, Never>] = []

    func acquire() async -> String {
        if let url = free.popLast() { return url }
        return await withCheckedContinuation { waiters.append($0) }
    }

    func release(_ url: String) {
        if waiters.isEmpty { free.append(url) } else { waiters.removeFirst().resume(returning: url) }
    }
}

/// The migrated demo database is made once per run and copied for each test: loading the demo data takes about 9 s
/// of CPU in a debug build, which for some 250 tests was nearly all of each suite's time (and, two cores being
/// shared by every test at once, made real-HTTP requests in some tests run past their 30 s deadline).
enum DemoTemplate {
    /// The built demo as a closed SQLite file (WAL, as `demilge serve` keeps it), in memory-backed /dev/shm.
    static let sqlite: Task<String, any Error> = Task { try await buildSQLite() }
    static let directory = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()

    /// A copy of the demo of its own for one test; `remove` it afterwards.
    static func sqliteCopy() async throws -> String {
        let template = try await sqlite.value
        let path = "\(directory)/demilge-test-\(UUID().uuidString).sqlite"
        try FileManager.default.copyItem(atPath: template, toPath: path)
        return path
    }

    static func remove(_ path: String) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    private static func buildSQLite() async throws -> String {
        removeAbandonedTemplates()
        let path = "\(directory)/demilge-template-\(getpid()).sqlite"
        remove(path)
        let app = try await Application.make(.testing)
        app.logger.logLevel = .warning
        do {
            try await configure(app, options: AppOptions(database: .sqliteFile(path), bcryptCost: 4))
            guard let sql = app.db as? any SQLDatabase else { throw Abort(.internalServerError, reason: "SQLite is an SQL database") }
            try await sql.raw("PRAGMA journal_mode=WAL").run()
            try await app.autoMigrate()
            _ = try await DemoData.load(into: app)
            try await sql.raw("PRAGMA wal_checkpoint(TRUNCATE)").run()
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
        return path
    }

    /// Templates of earlier runs whose process is gone (a run ends without a hook to remove its own).
    private static func removeAbandonedTemplates() {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for name in names where name.hasPrefix("demilge-template-") || name.hasPrefix("demilge-test-") {
            let pid = name.split(separator: "-").dropFirst(2).first.flatMap { Int32($0.prefix { $0.isNumber }) }
            if name.hasPrefix("demilge-template-"), let pid, kill(pid, 0) == 0 { continue }
            if name.hasPrefix("demilge-test-"), let date = (try? FileManager.default.attributesOfItem(atPath: "\(directory)/\(name)"))?[.modificationDate] as? Date,
               Date().timeIntervalSince(date) < 6 * 3600 { continue }
            try? FileManager.default.removeItem(atPath: "\(directory)/\(name)")
        }
    }
}

/// On PostgreSQL the demo is copied with `CREATE DATABASE … TEMPLATE` (a file copy), one copy after another, as
/// PostgreSQL refuses to copy a template that another session is using.
actor PostgresTemplate {
    static let shared = PostgresTemplate()
    static let name = "demilge_template"
    private var template: Task<Void, any Error>?
    private var queue: Task<Void, Never> = Task {}

    /// Makes the database `url` names again: a copy of the migrated demo when `prepared`, else empty.
    func reset(_ url: String, prepared: Bool) async throws {
        let previous = queue
        let step = Task {
            await previous.value
            if prepared { try await self.built(like: url) }
            try await Self.onServer(of: url) { sql in
                let database = try Self.databaseName(url)
                try await sql.raw("DROP DATABASE IF EXISTS \(ident: database) WITH (FORCE)").run()
                if prepared {
                    try await sql.raw("CREATE DATABASE \(ident: database) TEMPLATE \(ident: Self.name)").run()
                } else {
                    try await sql.raw("CREATE DATABASE \(ident: database)").run()
                }
            }
        }
        queue = Task { _ = try? await step.value }
        try await step.value
    }

    private func built(like url: String) async throws {
        if template == nil { template = Task { try await Self.build(like: url) } }
        try await template?.value
    }

    private static func build(like url: String) async throws {
        try await onServer(of: url) { sql in
            try await sql.raw("DROP DATABASE IF EXISTS \(ident: name) WITH (FORCE)").run()
            try await sql.raw("CREATE DATABASE \(ident: name)").run()
        }
        let app = try await Application.make(.testing)
        app.logger.logLevel = .warning
        do {
            try await configure(app, options: AppOptions(database: .postgres(try Self.url(url, database: name)), bcryptCost: 4))
            try await app.autoMigrate()
            _ = try await DemoData.load(into: app)
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }

    /// Runs `body` on the server's `postgres` database, which no test uses.
    private static func onServer(of url: String, _ body: (any SQLDatabase) async throws -> Void) async throws {
        let app = try await Application.make(.testing)
        app.logger.logLevel = .warning
        do {
            try DatabaseSelection.postgres(try Self.url(url, database: "postgres")).install(on: app)
            guard let sql = app.db as? any SQLDatabase else { throw Abort(.internalServerError, reason: "PostgreSQL is an SQL database") }
            try await body(sql)
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }

    static func databaseName(_ url: String) throws -> String {
        guard let components = URLComponents(string: url), components.path.count > 1 else { throw Abort(.badRequest, reason: "no database in \(url)") }
        return String(components.path.dropFirst())
    }

    static func url(_ url: String, database: String) throws -> String {
        guard var components = URLComponents(string: url) else { throw Abort(.badRequest, reason: "not a URL: \(url)") }
        components.path = "/" + database
        guard let changed = components.string else { throw Abort(.badRequest, reason: "not a URL: \(url)") }
        return changed
    }
}

/// A migrated Demilge with the demo data, on a fresh database, for one test.
func withDemilge(publicURL: String? = nil, _ body: (Application) async throws -> Void) async throws {
    try await withFreshDatabase(prepared: true, publicURL: publicURL, body)
}

/// A configured Demilge on a fresh database: migrated and seeded when `prepared`, else with no tables at all.
func withFreshDatabase(prepared: Bool, publicURL: String? = nil, _ body: (Application) async throws -> Void) async throws {
    var selection = TestDatabase.selection
    var leased: String? = nil
    var copy: String? = nil
    if !selection.isPostgres && prepared {
        let path = try await DemoTemplate.sqliteCopy()
        copy = path
        selection = .sqliteFile(path)
    } else if selection.isPostgres {
        let url = await DatabaseGate.shared.acquire()
        leased = url
        selection = .postgres(url)
        do {
            try await PostgresTemplate.shared.reset(url, prepared: prepared)
        } catch {
            await DatabaseGate.shared.release(url)
            throw error
        }
    }
    let app = try await Application.make(.testing)
    app.logger.logLevel = .warning
    let inFlight = InFlightRequests()
    do {
        try await configure(app, options: AppOptions(database: selection, bcryptCost: 4, publicURL: publicURL))
        app.middleware.use(inFlight, at: .beginning)
        try await body(app)
        // Every request that changed data wrote an audit entry in the same transaction: checked after every test, so
        // each success path any test takes is covered (writes a test makes itself, outside a request, are not named).
        #expect(app.unauditedWrites.filter { !$0.isEmpty }.isEmpty, "changed data without an audit entry: \(app.unauditedWrites)")
    } catch {
        await inFlight.drained()
        try? await app.asyncShutdown()
        if let leased { await DatabaseGate.shared.release(leased) }
        if let copy { DemoTemplate.remove(copy) }
        throw error
    }
    await inFlight.drained()
    try await app.asyncShutdown()
    if let leased { await DatabaseGate.shared.release(leased) }
    if let copy { DemoTemplate.remove(copy) }
}

/// Requests still being answered. A test over real HTTP whose client gives up on a response (its deadline passed on
/// a loaded machine) must not shut the app down under a handler still running: the handler's next `req.db` would
/// stop the whole test process. Shutdown waits for them, up to `limit`.
final class InFlightRequests: AsyncMiddleware {
    private let count = NIOLockedValueBox(0)

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        count.withLockedValue { $0 += 1 }
        defer { count.withLockedValue { $0 -= 1 } }
        return try await next.respond(to: request)
    }

    func drained(limit: Duration = .seconds(120)) async {
        let deadline = ContinuousClock.now + limit
        while count.withLockedValue({ $0 }) > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }
}

/// A browser-like client: keeps cookies, reads the CSRF token from the last page, posts forms.
final class Browser: @unchecked Sendable {
    let app: Application
    private(set) var cookies: [String: String] = [:]
    private(set) var lastBody = ""
    /// The CSRF token of the last page that had a form (a redirect's empty body keeps it).
    private(set) var csrf: String?
    var acceptLanguage: String? = nil
    /// `.running(port:)` sends real HTTP over loopback, where Vapor's streaming body limits apply.
    var method: Application.Method = .inMemory
    /// Race tests send from one browser at once: its cookies and token are read and written under this lock.
    private let lock = NSLock()

    init(_ app: Application) { self.app = app }

    private static func token(in body: String) -> String? {
        guard let range = body.range(of: #"name="_csrf" value=""#) else { return nil }
        let rest = body[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    private func headers() -> HTTPHeaders {
        lock.lock()
        defer { lock.unlock() }
        var headers = HTTPHeaders()
        if !cookies.isEmpty {
            headers.add(name: .cookie, value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
        }
        if let acceptLanguage { headers.add(name: .acceptLanguage, value: acceptLanguage) }
        return headers
    }

    private func remember(_ response: TestingHTTPResponse) {
        lock.lock()
        defer { lock.unlock() }
        for header in response.headers[.setCookie] {
            let pair = header.split(separator: ";").first ?? ""
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { continue }
            let name = String(parts[0]).trimmingCharacters(in: .whitespaces)
            let value = String(parts[1])
            if header.contains("Expires=Thu, 01 Jan 1970") || value.isEmpty { cookies[name] = nil } else { cookies[name] = value }
        }
        lastBody = response.body.string
        if let token = Self.token(in: lastBody) { csrf = token }
    }

    @discardableResult
    func get(_ path: String) async throws -> TestingHTTPResponse {
        let response = try await app.testing(method: method).sendRequest(.GET, path, headers: headers())
        remember(response)
        return response
    }

    /// Posts a URL-encoded form; the CSRF token of the last page is added unless `csrf: false`.
    @discardableResult
    func post(_ path: String, _ fields: [(String, String)], csrf includeToken: Bool = true) async throws -> TestingHTTPResponse {
        var fields = fields
        if includeToken, let token = csrf { fields.append(("_csrf", token)) }
        let body = fields.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        return try await postRaw(path, body: body, contentType: "application/x-www-form-urlencoded")
    }

    @discardableResult
    func postRaw(_ path: String, body: String, contentType: String) async throws -> TestingHTTPResponse {
        var headers = headers()
        headers.replaceOrAdd(name: .contentType, value: contentType)
        let response = try await app.testing(method: method).sendRequest(.POST, path, headers: headers, body: ByteBuffer(string: body))
        remember(response)
        return response
    }

    /// Posts multipart/form-data with text fields and optionally one file.
    @discardableResult
    func postMultipart(_ path: String, _ fields: [(String, String)], file: (field: String, name: String, type: String, bytes: [UInt8])? = nil) async throws -> TestingHTTPResponse {
        let boundary = "demilge-\(UUID().uuidString)"
        var body = ByteBuffer()
        for (name, value) in fields + (csrf.map { [("_csrf", $0)] } ?? []) {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n")
        }
        if let file {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.field)\"; filename=\"\(file.name)\"\r\nContent-Type: \(file.type)\r\n\r\n")
            body.writeBytes(file.bytes)
            body.writeString("\r\n")
        }
        body.writeString("--\(boundary)--\r\n")
        var headers = headers()
        headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
        let response = try await app.testing(method: method).sendRequest(.POST, path, headers: headers, body: body)
        remember(response)
        return response
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// Signs in as a demo account (password `demilge-demo`) and returns self.
    @discardableResult
    func signIn(_ email: String, password: String = "demilge-demo") async throws -> Browser {
        try await get("/signin")
        let response = try await post("/signin", [("email", email), ("password", password)])
        #expect(response.status == .seeOther, "sign-in as \(email) failed: \(response.status)")
        return self
    }
}

/// Row counts of every table a user action could change, to check that a refused action changed nothing.
struct Snapshot: Equatable {
    var users, roles, territories, organisations, audit: Int

    static func take(_ db: any Database) async throws -> Snapshot {
        Snapshot(users: try await User.query(on: db).count(), roles: try await RoleAssignment.query(on: db).count(),
                 territories: try await Territory.query(on: db).count(), organisations: try await Organisation.query(on: db).count(),
                 audit: try await AuditEntry.query(on: db).count())
    }
}

extension TestingHTTPResponse {
    var location: String? { headers.first(name: .location) }
}

/// A new account with the demo password (`demilge-demo`), a confirmed address and these roles, for tests that need a
/// second person.
@discardableResult
func makeUser(_ app: Application, _ email: String, name: String? = nil, _ grants: [RoleGrant] = []) async throws -> User {
    let user = User(email: email, displayName: name ?? email, passwordHash: try await app.password.async.hash("demilge-demo").get())
    user.emailConfirmedMillis = Date().millis
    try await user.create(on: app.db)
    for grant in grants { try await RoleAssignment(userID: try user.requireID(), grant: grant).create(on: app.db) }
    return user
}

/// The id of a territory by its code.
func territoryID(_ app: Application, _ code: String) async throws -> UUID {
    try #require(try await Territory.query(on: app.db).filter(\.$code == code).first()).requireID()
}

/// Real (tiny) photos for upload tests: a 1×1 PNG carrying a GPS position in a text chunk and in EXIF, the same
/// picture without them, and a JPEG whose APP1 (EXIF) segment names a GPS position.
enum TestPhotos {
    static let pngWithGPS = Array(Data(base64Encoded: "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAAJXRFWHRDb21tZW50AEdQUyA0MC41MjgzIDcyLjc5ODUgTWFuYXMtQXRhC6z7XQAAABtlWElmTU0AKgAAAAhHUFNMYXRpdHVkZSA0MC41Mjgzyel+RAAAAAxJREFUeJxj+M/AAAADAQEAyf6S7wAAAABJRU5ErkJggg==") ?? Data())
    static let png = Array(Data(base64Encoded: "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC") ?? Data())

    static func segment(_ marker: UInt8, _ payload: [UInt8]) -> [UInt8] {
        let length = payload.count + 2
        return [0xFF, marker, UInt8(length >> 8), UInt8(length & 0xFF)] + payload
    }
    static let jfif = segment(0xE0, Array("JFIF\0".utf8) + [1, 1, 0, 0, 1, 0, 1, 0, 0])
    static let exif = segment(0xE1, Array("Exif\0\0GPSLatitude 40.5283 GPSLongitude 72.7985".utf8))
    static let quantisation = segment(0xDB, [0] + Array(repeating: 1, count: 64))
    static let scan = segment(0xDA, [1, 1, 0, 0, 63, 0]) + [0x12, 0x34, 0x56] + [0xFF, 0xD9]
    static let jpegWithGPS: [UInt8] = [0xFF, 0xD8] + jfif + exif + quantisation + scan
    static let jpeg: [UInt8] = [0xFF, 0xD8] + jfif + quantisation + scan
}
