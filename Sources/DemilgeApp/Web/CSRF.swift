import Crypto
import DemilgeCore
import Vapor

/// The token every form posts back as `_csrf`. A signed-in person's is kept in their session; a visitor's lives in
/// a cookie of its own (`demilge_csrf`, HttpOnly, SameSite=Lax) and the form must repeat it, so a visitor reading a
/// page never causes a session row to be written.
enum CSRF {
    static let field = "_csrf"
    static let cookie = "demilge_csrf"
    /// Routes whose address carries its own signed authority and that a mail client posts to without any cookie:
    /// one-click unsubscribe (RFC 8058).
    static let exemptPrefixes = ["/unsubscribe/"]

    private struct NewCookieKey: StorageKey { typealias Value = String }

    static func token(for req: Request) -> String {
        if req.hasSession, req.session.data["user"] != nil {
            if let token = req.session.data["csrf"] { return token }
            let token = fresh()
            req.session.data["csrf"] = token
            return token
        }
        if let token = req.storage[NewCookieKey.self] ?? visitorToken(req) { return token }
        let token = fresh()
        req.storage[NewCookieKey.self] = token
        return token
    }

    /// The visitor's cookie token when it has the shape this server gives.
    private static func visitorToken(_ req: Request) -> String? {
        guard let value = req.cookies[cookie]?.string, value.utf8.count == 43,
              value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else { return nil }
        return value
    }

    private static func fresh() -> String { [UInt8].random(count: 32).base64URLEncodedString() }

    static func isValid(_ req: Request) -> Bool {
        guard let sent = req.formFields[field] else { return false }
        if req.hasSession, let expected = req.session.data["csrf"], constantTimeEqual(expected, sent) { return true }
        guard let expected = visitorToken(req) else { return false }
        return constantTimeEqual(expected, sent)
    }

    /// Sets the visitor's cookie when this response handed out a new token.
    static func finish(_ req: Request, _ response: Response, secure: Bool) {
        guard let token = req.storage[NewCookieKey.self] else { return }
        response.cookies[cookie] = HTTPCookies.Value(string: token, path: "/", isSecure: secure, isHTTPOnly: true, sameSite: .lax)
    }
}

/// Refuses any state-changing request whose form lacks the matching CSRF token (the session's, or the visitor
/// cookie's). It reads the body first (within the route's size limit), since over HTTP it may still be streaming.
struct CSRFMiddleware: AsyncMiddleware {
    let secureCookies: Bool

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if [.POST, .PUT, .PATCH, .DELETE].contains(request.method), !CSRF.exemptPrefixes.contains(where: request.url.path.hasPrefix) {
            // Without a session or a visitor token there is nothing to match: refuse before taking in the body.
            guard request.hasSession || request.cookies[CSRF.cookie] != nil else { throw DemilgeError.csrf }
            _ = try await request.body.collect(max: BodyLimits.limit(for: request).value).get()
            guard CSRF.isValid(request) else { throw DemilgeError.csrf }
        }
        let response = try await next.respond(to: request)
        CSRF.finish(request, response, secure: secureCookies)
        return response
    }
}
