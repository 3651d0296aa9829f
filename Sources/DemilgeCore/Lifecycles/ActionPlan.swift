import Foundation

/// Where a measure of a joint action plan (БАП) stands.
public enum MeasureStatus: String, StoredState {
    case planned
    case inProgress = "in_progress"
    case done
    case cancelled

    public var catalogKey: String { "measure.status.\(rawValue)" }
    public var isClosed: Bool { self == .done || self == .cancelled }
}

/// Where a measure's money comes from.
public enum FundingSource: String, StoredState {
    case localBudget = "local_budget"
    case grant
    case community
    case other

    public var catalogKey: String { "funding.\(rawValue)" }
}

/// Who sits on a community commission (seed 000: initiative-group activists, the municipal
/// territorial administration and the mayor's office).
public enum CommissionAffiliation: String, CaseIterable, Codable, Sendable {
    case initiativeGroup = "initiative_group"
    case territorialAdministration = "territorial_administration"
    case mayorsOffice = "mayors_office"
    case council
    case other

    public var catalogKey: String { "affiliation.\(rawValue)" }
}

public enum ActionPlanRules {
    /// A measure is overdue when its deadline (`YYYY-MM-DD`) has passed and it is neither done nor cancelled.
    /// Days compare as text, which orders ISO dates correctly.
    public static func isOverdue(deadline: Day, status: MeasureStatus, today: Day) -> Bool {
        !status.isClosed && deadline < today
    }

}
