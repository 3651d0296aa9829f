import Crypto
import Vapor

/// Gives every successful GET an ETag from its body and answers `If-None-Match` with 304,
/// so a phone on a slow connection revalidates a page instead of downloading it again.
/// Pages stay `no-cache`: they are always revalidated, so a change shows at once.
struct ETagMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        guard request.method == .GET || request.method == .HEAD, response.status == .ok,
              response.headers.first(name: .eTag) == nil, let body = response.body.buffer else { return response }
        let digest = SHA256.hash(data: body.readableBytesView)
        let tag = "W/\"" + Hex.string(digest.prefix(16)) + "\""
        response.headers.replaceOrAdd(name: .eTag, value: tag)
        let sent = request.headers[.ifNoneMatch].flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        guard sent.contains(tag) || sent.contains("*") else { return response }
        let notModified = Response(status: .notModified, headers: response.headers)
        notModified.headers.remove(name: .contentLength)
        return notModified
    }
}
