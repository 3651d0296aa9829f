import DemilgeCore
import Fluent
import Vapor

struct HomeController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(use: home)
    }

    func home(req: Request) async throws -> Response {
        try await req.page("home/index", titleKey: "home.title", try await HomePage.build(req))
    }
}
