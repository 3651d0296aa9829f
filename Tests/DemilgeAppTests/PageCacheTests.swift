@testable import DemilgeApp
import CZlib
import DemilgeCore
import Fluent
import Foundation
import NIOCore
import SQLKit
import Testing
import Vapor
import VaporTesting

/// Public pages kept rendered for visitors (`PageCache`): kept only for visitors and only what is not personal,
/// current after every write, shared by concurrent readers, gzipped once, bounded in memory.
@Suite("Pages kept for visitors")
struct PageCacheTests {
    static func cache(_ app: Application) throws -> PageCache { try #require(app.pageCache) }

    /// Boots the app and waits for the watcher's first read of the audit chain (its head moves the version once).
    static func settled(_ app: Application) async throws {
        _ = try await app.testing().sendRequest(.GET, "/healthz")
        for _ in 0..<100 where app.dataVersion.current.audit == 0 { try await Task.sleep(for: .milliseconds(20)) }
    }

    @Test("a visitor's second view of a page is the kept one: same bytes, no rendering, an ETag that answers 304")
    func keptForVisitors() async throws {
        try await withDemilge { app in
            let cache = try Self.cache(app)
            try await Self.settled(app)
            let first = try await Browser(app).get("/problems")
            let before = cache.statistics
            let second = try await Browser(app).get("/problems")
            let after = cache.statistics
            #expect(first.status == .ok && second.status == .ok)
            #expect(first.body.string == second.body.string)
            #expect(after.renders == before.renders && after.hits == before.hits + 1, "the second view was not rendered again")
            let etag = try #require(second.headers.first(name: .eTag))
            #expect(second.headers.first(name: .cacheControl) == "public, no-cache")
            let again = try await app.testing().sendRequest(.GET, "/problems", headers: ["If-None-Match": etag])
            #expect(again.status == .notModified && again.body.readableBytes == 0)
            #expect(again.headers.first(name: .eTag) == etag)
        }
    }

    @Test("a grant's, a call's and a round's page show a visitor no form, so they start no session and are kept",
          arguments: ["application", "call", "round"])
    func formPagesKept(_ kind: String) async throws {
        try await withDemilge { app in
            let cache = try Self.cache(app)
            try await Self.settled(app)
            let id: UUID? = switch kind {
            case "application": try await GrantApplication.query(on: app.db).filter(\.$status == .approved).first()?.id
            case "call": try await GrantCall.query(on: app.db).filter(\.$status != .draft).first()?.id
            default: try await BudgetRound.query(on: app.db).filter(\.$status != .draft).first()?.id
            }
            let path = "/\(kind == "application" ? "applications" : kind == "call" ? "grants" : "rounds")/\(try #require(id).uuidString.lowercased())"
            let first = try await app.testing().sendRequest(.GET, path)
            #expect(first.status == .ok && first.headers[.setCookie].isEmpty, "a visitor is given no session")
            #expect(!first.body.string.contains("name=\"_csrf\""), "and no form")
            let before = cache.statistics
            let second = try await app.testing().sendRequest(.GET, path)
            #expect(second.body.string == first.body.string)
            #expect(cache.statistics.hits == before.hits + 1 && cache.statistics.renders == before.renders)
        }
    }

    @Test("gzipped once for readers who accept it, the same page once unpacked; plain for those who do not")
    func gzipped() async throws {
        try await withDemilge { app in
            let plain = try await app.testing().sendRequest(.GET, "/territories")
            let packed = try await app.testing().sendRequest(.GET, "/territories", headers: ["Accept-Encoding": "br, gzip;q=0.8"])
            let refused = try await app.testing().sendRequest(.GET, "/territories", headers: ["Accept-Encoding": "gzip;q=0"])
            #expect(plain.headers.first(name: .contentEncoding) == nil)
            #expect(refused.headers.first(name: .contentEncoding) == nil)
            #expect(packed.headers.first(name: .contentEncoding) == "gzip")
            #expect(packed.headers[.vary].joined().contains("Accept-Encoding"))
            #expect(packed.body.readableBytes < plain.body.readableBytes / 2)
            #expect(try Self.gunzip(packed.body) == Array(plain.body.readableBytesView))
            #expect(refused.body.string == plain.body.string)
        }
    }

    @Test("nothing personal is kept: a signed-in reader's page, a page that set a cookie, a refusal, another language")
    func nothingPersonal() async throws {
        try await withDemilge { app in
            let visitor = try await Browser(app).get("/problems")
            let resident = try await Browser(app).signIn("resident.manas-ata@demilge.kg")
            let signedIn = try await resident.get("/problems")
            #expect(signedIn.body.string != visitor.body.string, "the resident's own page, with their name and forms")
            #expect(signedIn.headers.first(name: .cacheControl) != "public, no-cache")

            // A form page gives each visitor a session and a token of their own: never kept, never shared.
            let one = Browser(app), two = Browser(app)
            try await one.get("/signin")
            try await two.get("/signin")
            #expect(one.csrf != nil && two.csrf != nil && one.csrf != two.csrf)

            let cache = try Self.cache(app)
            try await Self.settled(app)
            let before = cache.statistics
            #expect(try await Browser(app).get("/problems/00000000-0000-0000-0000-000000000000").status == .notFound)
            #expect(try await Browser(app).get("/problems/00000000-0000-0000-0000-000000000000").status == .notFound)
            #expect(cache.statistics.renders == before.renders + 2, "a refusal is rendered each time, never kept")

            let russian = Browser(app)
            russian.acceptLanguage = "ru"
            let ru = try await russian.get("/problems")
            #expect(ru.headers.first(name: .contentLanguage) == "ru" && visitor.headers.first(name: .contentLanguage) == "ky")
            #expect(ru.body.string != visitor.body.string)
        }
    }

    @Test("a change shows to the next visitor at once")
    func currentAfterWrite() async throws {
        _ = ProblemTests.uploads()
        try await withDemilge { app in
            let before = try await Browser(app).get("/problems").body.string
            #expect(!before.contains("Кеч күздө суу жок"))
            let resident = try await Browser(app).signIn("resident.manas-ata@demilge.kg")
            let id = try await ProblemTests.raise(resident, title: "Кеч күздө суу жок")
            let after = try await Browser(app).get("/problems").body.string
            #expect(after.contains("Кеч күздө суу жок") && after.contains(id))
        }
    }

    @Test("another instance's change shows within the watcher's interval")
    func otherInstance() async throws {
        _ = ProblemTests.uploads()
        try await withTwoInstances { reader, writer in
            let before = try await Browser(reader).get("/problems").body.string
            #expect(!before.contains("Көпүрө бузулду"))
            let resident = try await Browser(writer).signIn("resident.manas-ata@demilge.kg")
            _ = try await ProblemTests.raise(resident, title: "Көпүрө бузулду")
            var seen = false
            for _ in 0..<40 where !seen {
                try await Task.sleep(for: .milliseconds(100))
                seen = try await Browser(reader).get("/problems").body.string.contains("Көпүрө бузулду")
            }
            #expect(seen, "the reader instance shows the writer's problem within four seconds")
        }
    }

    @Test("visitors asking at once for a page never made share one rendering")
    func concurrentVisitors() async throws {
        try await withDemilge { app in
            let cache = try Self.cache(app)
            try await Self.settled(app)
            let before = cache.statistics
            let bodies = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<24 { group.addTask { try await app.testing().sendRequest(.GET, "/indicators").body.string } }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(bodies.count == 1)
            #expect(cache.statistics.renders == before.renders + 1, "24 readers, one rendering")
        }
    }

    @Test("memory is bounded: the least recently read pages go first")
    func bounded() async throws {
        let cache = PageCache(capacity: 10_000, largest: 4_000)
        let loop = MultiThreadedEventLoopGroup.singleton.any()
        let stamp = DataVersion.Stamp(audit: 1, local: 0)
        func page(_ size: Int) -> PageCache.Page {
            PageCache.Page(stamp: stamp, madeAt: .now(), headers: [:], body: ByteBuffer(repeating: 0x61, count: size), gzipped: nil, etag: "x")
        }
        func store(_ name: String, _ size: Int) {
            let key = PageCache.Key(language: .ky, address: name)
            if case .render(let promise) = cache.lookup(key, at: stamp, on: loop) { cache.finish(key, page(size), promise) }
        }
        func kept(_ name: String) -> Bool {
            let key = PageCache.Key(language: .ky, address: name)
            switch cache.lookup(key, at: stamp, on: loop) {
            case .hit: return true
            case .render(let promise): cache.finish(key, nil, promise); cache.forget(key); return false
            case .wait: return false
            }
        }
        store("/a", 3_000)
        store("/b", 3_000)
        #expect(kept("/a"))          // /a is now read more recently than /b
        store("/c", 3_000)
        store("/too-large", 5_000)
        #expect(!kept("/too-large"), "a page over the per-page limit is not kept")
        #expect(cache.statistics.bytes <= 10_000)
        #expect(kept("/a") && kept("/c") && !kept("/b"), "the least recently read went")
    }

    @Test("a page older than its lifetime is made again even without a write")
    func lifetime() async throws {
        let cache = PageCache(lifetime: .milliseconds(50))
        let loop = MultiThreadedEventLoopGroup.singleton.any()
        let stamp = DataVersion.Stamp(audit: 1, local: 0)
        let key = PageCache.Key(language: .ru, address: "/rounds")
        guard case .render(let promise) = cache.lookup(key, at: stamp, on: loop) else { Issue.record("first lookup renders"); return }
        cache.finish(key, PageCache.Page(stamp: stamp, madeAt: .now(), headers: [:], body: ByteBuffer(string: "x"), gzipped: nil, etag: "x"), promise)
        guard case .hit = cache.lookup(key, at: stamp, on: loop) else { Issue.record("kept while young"); return }
        try await Task.sleep(for: .milliseconds(80))
        guard case .render(let again) = cache.lookup(key, at: stamp, on: loop) else { Issue.record("made again once old"); return }
        cache.finish(key, nil, again)
        guard case .render(let third) = cache.lookup(key, at: DataVersion.Stamp(audit: 2, local: 0), on: loop) else {
            Issue.record("a new version is never served an old page when no one is making it"); return
        }
        cache.finish(key, nil, third)
    }

    /// The bytes of a gzip stream (the test's own inflater: the app only compresses).
    static func gunzip(_ buffer: ByteBuffer) throws -> [UInt8] {
        var stream = z_stream()
        #expect(czlib_inflate_init_gzip(&stream) == Z_OK)
        defer { inflateEnd(&stream) }
        var input = Array(buffer.readableBytesView)
        var output = [UInt8](repeating: 0, count: 4 << 20)
        let status = input.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                stream.next_in = source.baseAddress
                stream.avail_in = uInt(source.count)
                stream.next_out = target.baseAddress
                stream.avail_out = uInt(target.count)
                return inflate(&stream, Z_FINISH)
            }
        }
        #expect(status == Z_STREAM_END)
        return Array(output.prefix(Int(stream.total_out)))
    }
}

/// Two instances of Demilge on one database (a shared SQLite file, or the leased PostgreSQL database), the demo data
/// loaded once; the first reads, the second writes.
func withTwoInstances(_ body: (Application, Application) async throws -> Void) async throws {
    var selection = TestDatabase.selection
    var leased: String? = nil
    var folder: URL? = nil
    if selection.isPostgres {
        let url = await DatabaseGate.shared.acquire()
        leased = url
        selection = .postgres(url)
    } else {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("demilge-two-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        folder = directory
        selection = .sqliteFile(directory.appendingPathComponent("shared.sqlite").path)
    }
    defer { if let folder { try? FileManager.default.removeItem(at: folder) } }
    var apps: [Application] = []
    do {
        for _ in 0..<2 {
            let app = try await Application.make(.testing)
            app.logger.logLevel = .warning
            apps.append(app)
            try await configure(app, options: AppOptions(database: selection, bcryptCost: 4))
        }
        if selection.isPostgres, let sql = apps[0].db as? any SQLDatabase {
            try await sql.raw("DROP SCHEMA IF EXISTS public CASCADE").run()
            try await sql.raw("CREATE SCHEMA public").run()
        }
        try await apps[0].autoMigrate()
        _ = try await DemoData.load(into: apps[0])
        try await body(apps[0], apps[1])
    } catch {
        for app in apps { try? await app.asyncShutdown() }
        if let leased { await DatabaseGate.shared.release(leased) }
        throw error
    }
    for app in apps { try await app.asyncShutdown() }
    if let leased { await DatabaseGate.shared.release(leased) }
}
