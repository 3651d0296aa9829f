import Foundation
import Vapor

/// Every response names its request (`X-Request-Id`): the id on every log line of the request, taken from nginx's
/// `X-Request-Id` when it sends one, so one id follows a request through the proxy, the instance and the logs. A
/// client's id is kept only when it is a plain token (letters, digits, '-', at most 128): nobody writes into the
/// logs through it.
struct RequestIDMiddleware: AsyncMiddleware {
    static func isPlain(_ id: String) -> Bool {
        (1...128).contains(id.utf8.count) && id.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) || $0 == 0x2D }
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        var id = request.id
        if !Self.isPlain(id) {
            id = UUID().uuidString
            request.logger[metadataKey: "request-id"] = .string(id)
        }
        let response = try await next.respond(to: request)
        response.headers.replaceOrAdd(name: .xRequestId, value: id)
        return response
    }
}
