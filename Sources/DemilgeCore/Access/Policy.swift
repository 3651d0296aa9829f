import Foundation

/// Every action that needs permission. Later capabilities add their actions here.
public enum Action: String, CaseIterable, Sendable {
    case manageUsers = "manage_users"
    case manageRoles = "manage_roles"
    case manageTerritories = "manage_territories"
    case manageOrganisations = "manage_organisations"
    case manageProgramme = "manage_programme"
    case recordFieldWork = "record_field_work"
    case viewAudit = "view_audit"
}

/// The one place that says who may do what. A rule lists the roles allowed; a grant counts when
/// its scope covers the target (global covers everything; a territory covers itself and all
/// territories under it; a programme covers that programme). Administrators may do everything.
public enum Policy {
    public static func roles(for action: Action) -> Set<Role> {
        switch action {
        case .manageUsers, .manageRoles, .manageTerritories, .viewAudit: [.administrator]
        case .manageOrganisations: [.administrator]
        case .manageProgramme: [.programmeManager]
        case .recordFieldWork: [.facilitator, .municipalStaff]
        }
    }

    public static func allows(_ actor: Principal, _ action: Action, on target: Target = .anywhere) -> Bool {
        guard actor.isSignedIn else { return false }
        if actor.isAdministrator { return true }
        // Administration is never delegated by territory or programme: only a global grant counts.
        let allowed = roles(for: action).subtracting([.administrator])
        return actor.grants.contains { grant in
            allowed.contains(grant.role) && covers(grant.scope, target)
        }
    }

    static func covers(_ scope: RoleScope, _ target: Target) -> Bool {
        switch scope {
        case .global: true
        case .territory(let id): target.territoryPath.contains(id)
        case .programme(let id): target.programmeID == id
        }
    }
}
