import DemilgeCore
import Fluent
import Vapor

/// The follow button of a problem, round, call, application or territory page: follows or stops following, then
/// back to the page. Only what the person may see can be followed.
struct FollowController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.post("follows", use: change)
    }

    func change(req: Request) async throws -> Response {
        let userID = try req.requireUser().requireID()
        let form = FormState.read(req, fields: ["subject", "id", "follow"])
        guard let subject = FollowSubject(rawValue: form["subject"]), let id = UUID(uuidString: form["id"]),
              let page = try await Self.visiblePage(subject, id, req) else { throw DemilgeError.notFound }
        let follow = form["follow"] == "1"
        let already = try await Notifier.follows(userID, subject, id, on: req.db)
        if follow != already {
            try await req.write { db in
                if follow { try await Notifier.follow(userID, subject, id, automatic: false, on: db) }
                else { try await Notifier.unfollow(userID, subject, id, on: db) }
                try await AuditLog.record(on: db, by: .user(userID), action: follow ? "user.follow" : "user.unfollow", entityType: "user",
                                          entityID: userID.uuidString.lowercased(), after: ["subject": subject.rawValue, "id": id.uuidString.lowercased()])
            }
        }
        req.flash(follow ? "notify.following" : "notify.not_following")
        return req.redirect(to: page)
    }

    /// The subject's page, when it exists and the reader may see it (a draft round or an unsubmitted application is
    /// its managers' or applicants' own).
    static func visiblePage(_ subject: FollowSubject, _ id: UUID, _ req: Request) async throws -> SitePath? {
        switch subject {
        case .problem:
            return try await Problem.find(id, on: req.db) == nil ? nil : .problem(id)
        case .round:
            guard let round = try await BudgetRound.find(id, on: req.db), round.status != .draft else { return nil }
            return .round(id)
        case .call:
            guard let call = try await GrantCall.find(id, on: req.db), call.status != .draft else { return nil }
            return .call(id)
        case .application:
            guard let application = try await GrantApplication.find(id, on: req.db), application.status != .draft else { return nil }
            return .application(id)
        case .territory:
            return try await req.territoryDirectory().byID[id].map { .territory($0.code) }
        }
    }
}
