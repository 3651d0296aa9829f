import Vapor

/// Headers every response carries: a CSP with no inline script, no framing, no sniffing; HSTS when the site is https.
struct SecurityHeadersMiddleware: AsyncMiddleware {
    let strictTransport: Bool

    static let contentSecurityPolicy = [
        "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
        "form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'", "object-src 'none'",
    ].joined(separator: "; ")

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        response.headers.replaceOrAdd(name: "Content-Security-Policy", value: Self.contentSecurityPolicy)
        response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        response.headers.replaceOrAdd(name: "X-Frame-Options", value: "DENY")
        // A page that must not pass its address on (a reset form) sets a stricter policy itself.
        if !response.headers.contains(name: "Referrer-Policy") { response.headers.add(name: "Referrer-Policy", value: "same-origin") }
        response.headers.replaceOrAdd(name: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()")
        if strictTransport { response.headers.replaceOrAdd(name: "Strict-Transport-Security", value: "max-age=31536000; includeSubDomains") }
        return response
    }
}

/// Refuses a request whose address carries a NUL byte: no page needs one, and PostgreSQL would
/// reject it deep inside a query.
struct RejectNULMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if request.url.string.range(of: "%00") != nil || request.url.string.contains("\u{0}") {
            throw Abort(.badRequest)
        }
        return try await next.respond(to: request)
    }
}
