import Foundation

/// The roles of PRODUCT.md. Each is granted globally, for a territory (and everything under it)
/// or for a programme.
public enum Role: String, CaseIterable, Codable, Sendable {
    case resident
    case activist
    case municipalStaff = "municipal_staff"
    case facilitator
    case commissionMember = "commission_member"
    case monitor
    case programmeManager = "programme_manager"
    case administrator

    public var catalogKey: String { "role.\(rawValue)" }
}

public enum RoleScope: Hashable, Sendable {
    case global
    case territory(UUID)
    case programme(UUID)
}

public struct RoleGrant: Hashable, Sendable {
    public var role: Role
    public var scope: RoleScope

    public init(_ role: Role, _ scope: RoleScope) {
        self.role = role
        self.scope = scope
    }
}

/// Who is acting: nobody (a visitor) or a signed-in user with their grants.
/// (Not `Actor`, which would shadow Swift's own protocol.)
public struct Principal: Sendable {
    public var userID: UUID?
    public var grants: [RoleGrant]

    public static let visitor = Principal(userID: nil, grants: [])

    public init(userID: UUID?, grants: [RoleGrant]) {
        self.userID = userID
        self.grants = grants
    }

    public var isSignedIn: Bool { userID != nil }
    public var isAdministrator: Bool { grants.contains { $0.role == .administrator && $0.scope == .global } }
}

/// What an action is done to: the territory path from the target up to its oblast, and its programme.
public struct Target: Sendable {
    public var territoryPath: [UUID]
    public var programmeID: UUID?

    public static let anywhere = Target(territoryPath: [], programmeID: nil)

    public init(territoryPath: [UUID] = [], programmeID: UUID? = nil) {
        self.territoryPath = territoryPath
        self.programmeID = programmeID
    }
}
