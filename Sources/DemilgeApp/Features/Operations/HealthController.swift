import Fluent
import SQLKit
import Vapor

/// For a load balancer or systemd: `/healthz` says the process answers (and is the benchmark's trivial route, the
/// server's own ceiling); `/readyz` says it can also reach its database, 503 otherwise.
struct HealthController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("healthz", use: health)
        routes.get("readyz", use: ready)
    }

    static func plain(_ text: String, _ status: HTTPResponseStatus) -> Response {
        let response = Response(status: status, body: .init(string: text + "\n"))
        response.headers.contentType = .plainText
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    func health(req: Request) -> Response { Self.plain("ok", .ok) }

    func ready(req: Request) async -> Response {
        do {
            guard let sql = req.db as? any SQLDatabase else { return Self.plain("no SQL database", .serviceUnavailable) }
            try await sql.raw("SELECT 1").run()
            return Self.plain("ready", .ok)
        } catch {
            req.logger.warning("not ready: \(String(reflecting: error))")
            return Self.plain("database unreachable", .serviceUnavailable)
        }
    }
}
