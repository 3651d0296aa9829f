import DemilgeCore
import Fluent
import Vapor

/// `/search`: one box over problems, initiatives, grants, organisations and territories, in any of the three
/// languages; Kyrgyz words are matched by their stems, and ө/ү/ң may be typed as о/у/н.
struct SearchController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("search", use: search)
    }

    static let maximumWords = 8
    static let pageSize = 20

    func search(req: Request) async throws -> Response {
        try await req.page("search/index", titleKey: "search.title", try await SearchPage.build(req))
    }
}
