import DemilgeCore
import Fluent
import Vapor

/// An initiative group's page: its members by sector, requests and invitations waiting (for those who manage it),
/// and where the reader stands.
struct GroupPage: Encodable {
    struct Member: Encodable { let id: String; let name: String; let sector: String; let status: String; let pending: Bool; let isCoordinator: Bool }
    let id: String
    let name: String
    let focus: String
    let territory: TerritoryLink
    /// The territory and those above it, country first: the page's breadcrumb.
    let trail: [TerritoryLink]
    let coordinator: String
    let members: [Member]
    let pending: [Member]
    let canManage: Bool
    let signedIn: Bool
    let myStatus: String?
    let invited: Bool
    let sectors: [Option]
    let form: FormState

    static func build(_ req: Request, _ group: InitiativeGroup, form: FormState) async throws -> GroupPage {
        let manage = try await InitiativeGroupController.canManage(group, req)
        let mine = group.memberships.first { $0.$user.id == req.actor.userID }
        let view = { (m: GroupMembership) in
            Member(id: m.idString, name: m.user.displayName, sector: req.t(Sector(rawValue: m.sector)?.catalogKey ?? m.sector),
                   status: req.t(m.status.catalogKey), pending: m.status != .member, isCoordinator: m.$user.id == group.$coordinator.id)
        }
        return GroupPage(
            id: group.idString, name: group.name, focus: group.focus,
            territory: TerritoryLink(group.territory, req.language, catalog: req.application.catalog), trail: try await req.territoryTrail(group.territory), coordinator: group.coordinator.displayName,
            members: group.memberships.filter { $0.status == .member }.map(view),
            pending: manage ? group.memberships.filter { $0.status != .member }.map(view) : [],
            canManage: manage, signedIn: req.actor.isSignedIn,
            myStatus: mine.map { req.t($0.status.catalogKey) }, invited: mine?.status == .invited,
            sectors: InitiativeGroupController.sectors(req, selected: form["sector"]), form: form)
    }
}
