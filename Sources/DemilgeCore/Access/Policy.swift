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
    case raiseProblem = "raise_problem"
    case supportProblem = "support_problem"
    case comment
    case changeProblemStatus = "change_problem_status"
    case mergeProblems = "merge_problems"
    case moderate
    case createInitiativeGroup = "create_initiative_group"
    case manageInitiativeGroup = "manage_initiative_group"
    case recordCommission = "record_commission"
    case manageActionPlan = "manage_action_plan"
    case manageBudgetRound = "manage_budget_round"
    case enterPaperBallots = "enter_paper_ballots"
    case manageGrants = "manage_grants"
    case recordMonitoringVisit = "record_monitoring_visit"
    case recordEvent = "record_event"
    case publishPractice = "publish_practice"
    /// Upload or replace a municipality's resident roll.
    case manageResidentRoll = "manage_resident_roll"
    /// Verify a person in person (ID seen) against the roll, or add them to it.
    case verifyResidents = "verify_residents"
}

/// Who may take an action: anyone signed in, or holders of certain roles (within scope).
public enum Requirement: Equatable, Sendable {
    case signedIn
    case roles(Set<Role>)
}

/// The one place that says who may do what. A rule lists the roles allowed; a grant counts when
/// its scope covers the target (global covers everything; a territory covers itself and all
/// territories under it; a programme covers that programme). Administrators may do everything.
public enum Policy {
    public static func requirement(for action: Action) -> Requirement {
        switch action {
        case .manageUsers, .manageRoles, .manageTerritories, .viewAudit, .manageOrganisations, .moderate: .roles([.administrator])
        case .manageProgramme: .roles([.programmeManager])
        case .recordFieldWork: .roles([.facilitator, .municipalStaff])
        case .raiseProblem, .supportProblem, .comment, .createInitiativeGroup: .signedIn
        case .changeProblemStatus, .mergeProblems: .roles([.municipalStaff])
        // Besides its own coordinator, who may always manage the group.
        case .manageInitiativeGroup: .roles([.municipalStaff])
        case .recordCommission, .manageActionPlan: .roles([.municipalStaff, .facilitator])
        case .manageBudgetRound: .roles([.municipalStaff])
        case .enterPaperBallots: .roles([.facilitator, .municipalStaff])
        case .manageGrants: .roles([.programmeManager])
        case .recordMonitoringVisit: .roles([.monitor, .programmeManager])
        case .recordEvent: .roles([.facilitator, .municipalStaff, .programmeManager])
        case .publishPractice: .roles([.municipalStaff, .programmeManager])
        case .manageResidentRoll: .roles([.municipalStaff])
        case .verifyResidents: .roles([.municipalStaff, .facilitator])
        }
    }

    public static func allows(_ actor: Principal, _ action: Action, on target: Target = .anywhere) -> Bool {
        guard actor.isSignedIn else { return false }
        if actor.isAdministrator { return true }
        switch requirement(for: action) {
        case .signedIn:
            return true
        case .roles(let roles):
            // Administration is never delegated by territory or programme: only a global grant counts.
            let allowed = roles.subtracting([.administrator])
            return actor.grants.contains { grant in
                allowed.contains(grant.role) && covers(grant.scope, target)
            }
        }
    }

    /// Whether the actor may take the action somewhere, e.g. to offer a link to its form.
    public static func allowsSomewhere(_ actor: Principal, _ action: Action) -> Bool {
        guard actor.isSignedIn else { return false }
        if actor.isAdministrator { return true }
        switch requirement(for: action) {
        case .signedIn: return true
        case .roles(let roles): return actor.grants.contains { roles.subtracting([.administrator]).contains($0.role) }
        }
    }

    /// Whether someone may vote in a round of a territory: a resident of it or of a place within it.
    /// `residences` are the paths (place first, then everything above it) of the actor's resident grants.
    public static func isEligibleVoter(_ actor: Principal, residences: [[UUID]], roundTerritory: UUID) -> Bool {
        actor.isSignedIn && residences.contains { $0.contains(roundTerritory) }
    }

    static func covers(_ scope: RoleScope, _ target: Target) -> Bool {
        switch scope {
        case .global: true
        case .territory(let id): target.territoryPath.contains(id)
        case .programme(let id): target.programmeID == id
        }
    }
}
