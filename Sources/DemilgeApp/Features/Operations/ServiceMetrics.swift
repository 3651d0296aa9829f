import CoreMetrics
import Fluent
import Prometheus
import SQLKit
import Vapor

/// What `/metrics` shows, in Prometheus' text format: Vapor's own request counts and latency histograms by route
/// and status (`http_requests_total`, `http_request_duration_seconds`), ballots cast, and, read at each scrape,
/// whether the database answers and how many writes wait for their turn. The metrics system is set
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
            try await (req.db as? any SQLDatabase)?.raw("SELECT 1").run()
            up = true
        } catch { up = false }
        ServiceMetrics.databaseUp.set(to: up ? 1.0 : 0.0)
        ServiceMetrics.writeGateWaiting.set(to: Double(await req.application.writeGate.waitingCount))
        let response = Response(status: .ok, body: .init(string: ServiceMetrics.registry.emitToString()))
        response.headers.replaceOrAdd(name: .contentType, value: "text/plain; version=0.0.4; charset=utf-8")
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }
}
