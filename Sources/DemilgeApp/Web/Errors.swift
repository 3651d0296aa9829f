import DemilgeCore
import Vapor

/// Errors a user can cause, each with a message in the catalog.
enum DemilgeError: Error, AbortError {
    case csrf
    case forbidden
    case signInRequired
    case notFound
    case rateLimited
    case staleEdit
    /// A `page` or `per_page` outside 1…10 000 / 1…100, or not a number.
    case badPage
    /// A malformed id, code or value in the address.
    case badRequest
    /// A session's rankings that the aggregation refuses (`PrioritizationError`), said in the user's language.
    case priorities(PrioritizationError)

    var status: HTTPResponseStatus {
        switch self {
        case .csrf, .forbidden: .forbidden
        case .signInRequired: .unauthorized
        case .notFound: .notFound
        case .rateLimited: .tooManyRequests
        case .staleEdit: .conflict
        case .badPage, .badRequest: .badRequest
        case .priorities: .conflict
        }
    }

    var reason: String { catalogKey }

    var catalogKey: String {
        switch self {
        case .csrf: "error.csrf"
        case .forbidden: "error.forbidden"
        case .signInRequired: "error.sign_in_required"
        case .notFound: "error.not_found"
        case .rateLimited: "error.rate_limited"
        case .staleEdit: "error.stale_edit"
        case .badPage: "error.bad_page"
        case .badRequest: "error.bad_request"
        case .priorities(let problem): problem.catalogKey
        }
    }
}

/// Turns every error into a page in the reader's language. Internal details never reach the page.
struct ErrorPageMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch DemilgeError.signInRequired where request.method == .GET {
            let back = request.url.string.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? "/"
            return request.redirect(to: "/signin?back=\(back)", redirectType: .normal)
        } catch {
            let (status, key) = Self.classify(error)
            if status == .internalServerError {
                request.logger.report(error: error)
            }
            if request.url.path.hasPrefix("/api/") { return Self.json(for: request, status: status, messageKey: key) }
            return await Self.page(for: request, status: status, messageKey: key)
        }
    }

    static func classify(_ error: any Error) -> (HTTPResponseStatus, String) {
        if let known = error as? DemilgeError { return (known.status, known.catalogKey) }
        if let abort = error as? any AbortError {
            switch abort.status {
            case .notFound: return (.notFound, "error.not_found")
            case .payloadTooLarge: return (.payloadTooLarge, "error.too_large")
            case .forbidden: return (.forbidden, "error.forbidden")
            case .unauthorized: return (.unauthorized, "error.sign_in_required")
            case .methodNotAllowed: return (.methodNotAllowed, "error.bad_request")
            case .unsupportedMediaType, .badRequest, .unprocessableEntity: return (.badRequest, "error.bad_request")
            default: if abort.status.code < 500 { return (abort.status, "error.bad_request") }
            }
        }
        if error is DecodingError { return (.badRequest, "error.bad_request") }
        return (.internalServerError, "error.internal")
    }

    static func page(for request: Request, status: HTTPResponseStatus, messageKey: String) async -> Response {
        let content = ErrorContent(status: Int(status.code), message: request.t(messageKey), back: SafeRedirect.path(request.headers.first(name: .referer).flatMap { URI(string: $0).path }))
        do {
            return try await request.page("errors/error", titleKey: "error.title", content, chrome: .minimal, status: status)
        } catch {
            let response = Response(status: status, body: .init(string: request.t(messageKey)))
            response.headers.contentType = .plainText
            return response
        }
    }

    /// API clients get the refusal as JSON: `{"error": {"status": 400, "message": "…"}}`.
    static func json(for request: Request, status: HTTPResponseStatus, messageKey: String) -> Response {
        struct Body: Encodable { struct Detail: Encodable { let status: Int; let message: String }; let error: Detail }
        let data = (try? JSONEncoder().encode(Body(error: .init(status: Int(status.code), message: request.t(messageKey))))) ?? Data("{}".utf8)
        let response = Response(status: status, body: .init(data: data))
        response.headers.contentType = .json
        return response
    }

    struct ErrorContent: Encodable {
        let status: Int
        let message: String
        let back: String
    }
}
