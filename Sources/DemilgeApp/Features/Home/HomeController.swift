import DemilgeCore
import Fluent
import Vapor

struct HomeController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(use: home)
        routes.get("place", use: choosePlace)
    }

    /// `GET /place?code=KG-GO-manas-ata` remembers where the visitor lives (a year, no account needed) and goes home;
    /// an empty or unknown code forgets it.
    func choosePlace(req: Request) async throws -> Response {
        let code = req.query[String.self, at: "code"] ?? ""
        let place = code.utf8.count <= 100 ? try await req.territoryDirectory().byCode[code] : nil
        let response = req.redirect(to: "/")
        response.cookies[MyPlace.cookie] = HTTPCookies.Value(
            string: place?.code ?? "", expires: place == nil ? Date(timeIntervalSince1970: 0) : Date().addingTimeInterval(365 * 24 * 3600),
            path: "/", isHTTPOnly: true, sameSite: .lax)
        return response
    }

    func home(req: Request) async throws -> Response {
        try await req.page("home/index", titleKey: "home.title", try await HomePage.build(req))
    }
}
