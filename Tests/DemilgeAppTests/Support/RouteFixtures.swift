@testable import DemilgeApp
import DemilgeCore
import Fluent
import Foundation
import Vapor

/// Real values for the parameters of every route, read from the demo data, so that generated requests reach the
/// handlers (not only their 404s). Nested routes get consistent tuples (a focus group of that session, a batch of
/// that round). A route nobody listed here still gets values: random and hostile ones.
struct RouteFixtures {
    /// By the constant before a parameter and its name, e.g. `problems/:id`.
    var single: [String: [String]] = [:]
    /// By the whole route path, e.g. `/assessments/:id/groups/:group`: each element fills every parameter.
    var nested: [String: [[String]]] = [:]

    static func load(_ app: Application) async throws -> RouteFixtures {
        let db = app.db
        var f = RouteFixtures()
        func ids<M: Model>(_ type: M.Type) async throws -> [String] where M.IDValue == UUID {
            try await M.query(on: db).all().map(\.idString)
        }
        f.single["problems/:id"] = try await ids(Problem.self)
        f.single["assessments/:id"] = try await ids(AssessmentSession.self)
        f.single["commissions/:id"] = try await ids(Commission.self)
        f.single["groups/:id"] = try await ids(InitiativeGroup.self)
        f.single["rounds/:id"] = try await ids(BudgetRound.self)
        f.single["applications/:id"] = try await ids(GrantApplication.self)
        f.single["grants/:id"] = try await ids(GrantApplication.self)
        f.single["grants/:call"] = try await ids(GrantCall.self)
        f.single["events/:id"] = try await ids(Event.self)
        f.single["practices/:id"] = try await ids(Practice.self)
        f.single["users/:id"] = try await User.query(on: db).all().compactMap { $0.id?.uuidString }
        f.single["territories/:code"] = try await Territory.query(on: db).all().map(\.code)
        f.single["organisations/:slug"] = try await Organisation.query(on: db).all().map(\.slug)
        f.single["programmes/:slug"] = try await Programme.query(on: db).all().map(\.slug)
        f.single["lang/:code"] = Language.allCases.map(\.rawValue)
        f.single["grant-photos/:name"] = try await GrantVisit.query(on: db).all().flatMap(\.photos)

        f.nested["/assessments/:id/groups/:group/ranking"] = try await FocusGroup.query(on: db).all().map { [$0.$session.id.uuidString.lowercased(), $0.idString] }
        f.nested["/commissions/:id/measures/:measure"] = try await ActionMeasure.query(on: db).all().map { [$0.$commission.id.uuidString.lowercased(), $0.idString] }
        let memberships = try await GroupMembership.query(on: db).all().map { [$0.$group.id.uuidString.lowercased(), $0.idString] }
        f.nested["/groups/:id/members/:membership/approve"] = memberships
        f.nested["/groups/:id/members/:membership/remove"] = memberships
        f.nested["/rounds/:id/paper/:batch"] = try await PaperBatch.query(on: db).all().map { [$0.$round.id.uuidString.lowercased(), $0.idString] }
        f.nested["/applications/:id/milestones/:milestone"] = try await GrantMilestone.query(on: db).all().map { [$0.$application.id.uuidString.lowercased(), $0.idString] }
        f.nested["/problems/:id/comments/:comment/moderation"] = try await ProblemComment.query(on: db).all().map { [$0.$problem.id.uuidString.lowercased(), $0.idString] }
        f.nested["/admin/users/:id/roles/:assignment/revoke"] = try await RoleAssignment.query(on: db).all().compactMap { r in r.id.map { [r.$user.id.uuidString, $0.uuidString] } }
        return f
    }

    /// The parameter names of a route, in order, with the constant before each.
    static func parameters(_ route: Route) -> [(before: String, name: String)] {
        var result: [(String, String)] = []
        var previous = ""
        for component in route.path {
            switch component {
            case .constant(let text): previous = text
            case .parameter(let name): result.append((previous, name))
            case .anything, .catchall: result.append((previous, "*"))
            }
        }
        return result
    }

    static func pattern(_ route: Route) -> String { "/" + route.path.map(\.description).joined(separator: "/") }

    /// Candidate value lists for the route's parameters, or nil for a route without any.
    func candidates(_ route: Route) -> [[String]]? {
        let parameters = Self.parameters(route)
        guard !parameters.isEmpty else { return nil }
        if let tuples = nested[Self.pattern(route)], !tuples.isEmpty { return tuples }
        let lists = parameters.map { single["\($0.before)/:\($0.name)"] ?? [] }
        guard lists.allSatisfy({ !$0.isEmpty }) else { return [] }
        // Single-parameter routes: each value is a tuple of one.
        if lists.count == 1 { return lists[0].map { [$0] } }
        return [lists.map { $0[0] }]
    }

    /// The route's path with these values (percent-encoded).
    static func path(_ route: Route, values: [String]) -> String {
        var index = 0
        var parts: [String] = []
        for component in route.path {
            switch component {
            case .constant(let text): parts.append(text)
            case .parameter, .anything, .catchall:
                let value = index < values.count ? values[index] : "x"
                index += 1
                var allowed = CharacterSet.urlPathAllowed
                allowed.remove(charactersIn: "/?#%")
                parts.append(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "x")
            }
        }
        return "/" + parts.joined(separator: "/")
    }
}

/// The demo accounts by the role they play, signed in once for a suite.
enum DemoActors {
    static let emails: [(role: String, email: String)] = [
        ("resident", "resident.manas-ata@demilge.kg"), ("municipal staff", "staff.osh@demilge.kg"),
        ("facilitator", "facilitator.nookat@demilge.kg"), ("manager", "manager.araket@demilge.kg"),
        ("other manager", "manager.alert@demilge.kg"), ("reviewer", "reviewer.one@demilge.kg"),
        ("reviewer with a conflict", "reviewer.two@demilge.kg"), ("applicant", "applicant.manas-ata@demilge.kg"),
        ("other applicant", "applicant.cso@demilge.kg"), ("monitor", "monitor.osh@demilge.kg"), ("administrator", "admin@demilge.kg"),
    ]
}
