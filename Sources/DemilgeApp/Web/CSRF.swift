import Crypto
import Vapor

/// A per-session token that every form posts back as `_csrf`.
enum CSRF {
    static let field = "_csrf"

    static func token(for req: Request) -> String {
        if let token = req.session.data["csrf"] { return token }
        let token = [UInt8].random(count: 32).base64URLEncodedString()
        req.session.data["csrf"] = token
        return token
    }

    static func isValid(_ req: Request) -> Bool {
        guard req.hasSession, let expected = req.session.data["csrf"],
              let sent = req.formFields[field] else { return false }
        return constantTimeEqual(expected, sent)
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}

extension Array where Element == UInt8 {
    func base64URLEncodedString() -> String {
        Data(self).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

/// Refuses any state-changing request whose form lacks the session's CSRF token.
/// It reads the body first (within the route's size limit), since over HTTP it may still be streaming.
struct CSRFMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if [.POST, .PUT, .PATCH, .DELETE].contains(request.method) {
            // Without a session there is no token to match: refuse before taking in the body.
            guard request.hasSession else { throw DemilgeError.csrf }
            _ = try await request.body.collect(max: BodyLimits.limit(for: request).value).get()
            guard CSRF.isValid(request) else { throw DemilgeError.csrf }
        }
        return try await next.respond(to: request)
    }
}
