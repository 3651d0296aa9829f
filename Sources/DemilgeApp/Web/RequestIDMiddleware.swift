import Vapor

/// Every response names its request (`X-Request-Id`): the id Vapor puts on every log line of the request, taken
/// from nginx's `X-Request-Id` when it sends one, so one id follows a request through the proxy, the instance and
/// the logs.
struct RequestIDMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        response.headers.replaceOrAdd(name: .xRequestId, value: request.id)
        return response
    }
}
