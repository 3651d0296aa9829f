import DemilgeCore
import Fluent
import Vapor

/// Every commission with its members, measures and how many are overdue.
struct CommissionListPage: Encodable {
    struct Row: Encodable { let id: String; let name: String; let territory: TerritoryLink; let members: Int; let measures: Int; let overdue: Int }
    let commissions: [Row]
    let canCreate: Bool

    static func build(_ req: Request) async throws -> CommissionListPage {
        let today = Day.today()
        let commissions = try await Commission.query(on: req.db).with(\.$territory).with(\.$members).with(\.$measures).sort(\.$name).all()
        return CommissionListPage(
            commissions: commissions.map { c in
                Row(id: c.idString, name: c.name, territory: TerritoryLink(c.territory, req.language, catalog: req.application.catalog),
                    members: c.members.count, measures: c.measures.count,
                    overdue: c.measures.filter { ActionPlanRules.isOverdue(deadline: $0.deadline, status: $0.status, today: today) }.count)
            },
            canCreate: Policy.allowsSomewhere(req.actor, .recordCommission))
    }
}
