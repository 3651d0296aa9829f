import CoreMetrics
import Fluent
import Prometheus
import SQLKit
import Vapor

/// What `/metrics` shows, in Prometheus' text format: Vapor's own request counts and latency histograms by route
/// and status (`http_requests_total`, `http_request_duration_seconds`), ballots cast, and, read at each scrape,
/// whether the database answers, its connection pool, the e-mail outbox, how many writes wait for their turn, the pages kept for visitors and their use. The metrics system is set
/// up once per process, however many applications it configures (the tests configure hundreds).
enum ServiceMetrics {
    static let registry = PrometheusCollectorRegistry()
    private static let bootstrapped: Bool = {
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return true
    }()

    static func install() { _ = bootstrapped }

    static let ballots = registry.makeCounter(name: "demilge_ballots_cast_total", labels: [("channel", "online")],
                                              help: "Ballots cast or changed online, since the instance started.")
    static let databaseUp = registry.makeGauge(name: "demilge_database_up", help: "1 when the database answered the last scrape.")
    static let writeGateWaiting = registry.makeGauge(name: "demilge_write_gate_waiting",
                                                     help: "Write transactions waiting for their turn (SQLite: one writer at a time).")
    static let pagesKept = registry.makeGauge(name: "demilge_page_cache_pages", help: "Public pages kept rendered for visitors.")
    static let pageBytes = registry.makeGauge(name: "demilge_page_cache_bytes", help: "Memory the kept pages take.")
    static let pageHits = registry.makeGauge(name: "demilge_page_cache_hits", help: "Visitors served a kept page, since the instance started.")
    static let pageRenders = registry.makeGauge(name: "demilge_page_cache_renders",
                                                help: "Pages made for a visitor because none was kept or it was out of date, since the instance started.")
    static let poolCapacity = registry.makeGauge(name: "demilge_database_pool_capacity",
                                                 help: "Connections this instance may hold open to its database.")
    static let busyConnections = registry.makeGauge(name: "demilge_database_connections", labels: [("state", "busy")],
                                                    help: "PostgreSQL: this instance's open connections by state (the one answering the scrape counts as idle).")
    static let idleConnections = registry.makeGauge(name: "demilge_database_connections", labels: [("state", "idle")],
                                                    help: "PostgreSQL: this instance's open connections by state (the one answering the scrape counts as idle).")
    static let outboxQueued = registry.makeGauge(name: "demilge_outbox_messages", labels: [("status", "queued")],
                                                 help: "E-mail in the outbox: waiting to leave, or dead after every attempt failed.")
    static let outboxDead = registry.makeGauge(name: "demilge_outbox_messages", labels: [("status", "dead")],
                                               help: "E-mail in the outbox: waiting to leave, or dead after every attempt failed.")
    static let auditHead = registry.makeGauge(name: "demilge_audit_head",
                                              help: "The latest audit entry this instance has seen (its pages kept are current with it).")

    /// The figures read at each scrape.
    static func refresh(_ app: Application) async {
        ServiceMetrics.writeGateWaiting.set(to: Double(await app.writeGate.waitingCount))
        if let cache = app.pageCache {
            let statistics = cache.statistics
            pagesKept.set(to: Double(statistics.pages))
            pageBytes.set(to: Double(statistics.bytes))
            pageHits.set(to: Double(statistics.hits))
            pageRenders.set(to: Double(statistics.renders))
        }
        auditHead.set(to: Double(app.dataVersion.current.audit))
        if let pool = app.databasePool { poolCapacity.set(to: Double(pool.capacity)) }
    }

    /// This instance's connections as PostgreSQL sees them, told apart from other instances' by `application_name`.
    static func countConnections(_ sql: any SQLDatabase, pool: DatabasePool) async throws {
        let rows = try await sql.raw("""
            SELECT state, count(*) AS n FROM pg_stat_activity
            WHERE application_name = \(bind: pool.applicationName) AND pid <> pg_backend_pid() GROUP BY state
            """).all()
        var busy = 0
        var idle = 1
        for row in rows {
            let count = try row.decode(column: "n", as: Int.self)
            if (try? row.decode(column: "state", as: String?.self)) == "idle" { idle += count } else { busy += count }
        }
        busyConnections.set(to: Double(busy))
        idleConnections.set(to: Double(idle))
    }
}

/// `/metrics` for a Prometheus on the same machine: answered only to a loopback peer that did not come through a
/// proxy (deploy/nginx/demilge.conf also refuses it from outside).
struct MetricsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("metrics", use: metrics)
    }

    static func isLocal(_ req: Request) -> Bool {
        guard req.headers.first(name: .xForwardedFor) == nil, let address = req.remoteAddress?.ipAddress else { return false }
        return address == "127.0.0.1" || address == "::1"
    }

    func metrics(req: Request) async throws -> Response {
        guard Self.isLocal(req) else { throw DemilgeError.notFound }
        let up: Bool
        do {
            let sql = req.db as? any SQLDatabase
            if let sql, sql.dialect.name == "postgresql", let pool = req.application.databasePool {
                try await ServiceMetrics.countConnections(sql, pool: pool)
            } else {
                try await sql?.raw("SELECT 1").run()
            }
            let depth = try await Outbox.depth(on: req.db)
            ServiceMetrics.outboxQueued.set(to: Double(depth.queued))
            ServiceMetrics.outboxDead.set(to: Double(depth.dead))
            up = true
        } catch { up = false }
        ServiceMetrics.databaseUp.set(to: up ? 1.0 : 0.0)
        await ServiceMetrics.refresh(req.application)
        let response = Response(status: .ok, body: .init(string: ServiceMetrics.registry.emitToString()))
        response.headers.replaceOrAdd(name: .contentType, value: "text/plain; version=0.0.4; charset=utf-8")
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }
}
