import DemilgeCore
import Fluent
import Vapor

/// Every call for proposals, newest deadline first, with how many applied and were awarded; a draft only for its
/// programme's managers.
struct CallListPage: Encodable {
    struct Row: Encodable {
        let id: String, title: String, programme: String, budget: String, grantRange: String, deadline: String
        let status: String, statusKey: String, applications: Int, awarded: Int
    }
    let calls: [Row]
    let canCreate: Bool

    static func build(_ req: Request) async throws -> CallListPage {
        // A draft call is its programme's manager's work in progress: nobody else sees it.
        let calls = try await GrantCall.query(on: req.db).with(\.$programme).sort(\.$deadline, .descending).all()
            .filter { $0.status != .draft || req.can(.manageGrants, on: Target(programmeID: $0.$programme.id)) }
        let applications = try await GrantApplication.query(on: req.db).filter(\.$status != GrantStatus.draft).all()
        let byCall = Dictionary(grouping: applications, by: { $0.$call.id })
        return CallListPage(
            calls: try calls.map { call in
                let own = byCall[(try call.requireID())] ?? []
                return Row(id: call.idString, title: call.title, programme: call.programme.name.text(req.language),
                           budget: GrantDisplay.money(call.budgetTyiyn, req),
                           grantRange: "\(GrantDisplay.money(call.minGrantTyiyn, req)) — \(GrantDisplay.money(call.maxGrantTyiyn, req))",
                           deadline: call.deadline.formatted(req.language), status: req.t(call.status.catalogKey), statusKey: call.status.rawValue,
                           applications: own.count, awarded: own.filter { GrantDisplay.awarded.contains($0.status) }.count)
            },
            canCreate: Policy.allowsSomewhere(req.actor, .manageGrants))
    }
}
