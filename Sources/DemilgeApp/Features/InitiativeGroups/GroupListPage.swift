import DemilgeCore
import Fluent
import Vapor

/// Every initiative group with its focus, place and members.
struct GroupListPage: Encodable {
    struct Row: Encodable { let id: String; let name: String; let focus: String; let territory: TerritoryLink; let members: Int }
    let groups: [Row]
    let signedIn: Bool

    static func build(_ req: Request) async throws -> GroupListPage {
        let groups = try await InitiativeGroup.query(on: req.db).with(\.$territory).with(\.$memberships).sort(\.$name).all()
        return GroupListPage(groups: groups.map { group in
            Row(id: group.idString, name: group.name, focus: group.focus,
                territory: TerritoryLink(group.territory, req.language, catalog: req.application.catalog),
                members: group.memberships.filter { $0.status == .member }.count)
        }, signedIn: req.actor.isSignedIn)
    }
}
