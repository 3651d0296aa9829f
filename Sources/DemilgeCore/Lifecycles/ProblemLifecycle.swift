import Foundation

/// Where a raised problem stands, from raised to solved or declined.
public enum ProblemStatus: String, StoredState {
    case raised
    case underReview = "under_review"
    case prioritised
    case inProgress = "in_progress"
    case solved
    case declined

    public var catalogKey: String { "problem.status.\(rawValue)" }

    /// Where a problem may go next. Every move needs a reason and is made by someone allowed to
    /// `changeProblemStatus` for the problem's territory.
    public var next: [ProblemStatus] {
        switch self {
        case .raised: [.underReview, .prioritised, .declined]
        case .underReview: [.prioritised, .declined, .raised]
        case .prioritised: [.inProgress, .underReview, .declined]
        case .inProgress: [.solved, .prioritised]
        case .solved: [.inProgress]
        case .declined: [.raised]
        }
    }

    public var isOpen: Bool { self != .solved && self != .declined }
}

public enum ProblemTransitionError: Error, Equatable, Sendable {
    case notAllowed(from: ProblemStatus, to: ProblemStatus)
    case reasonRequired

    public var catalogKey: String {
        switch self {
        case .notAllowed: "error.problem.transition"
        case .reasonRequired: "error.problem.reason_required"
        }
    }
}

public enum ProblemLifecycle {
    /// Checks a move; the reason is trimmed and must say something.
    public static func check(from: ProblemStatus, to: ProblemStatus, reason: String) throws(ProblemTransitionError) {
        guard from.next.contains(to) else { throw .notAllowed(from: from, to: to) }
        guard !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw .reasonRequired }
    }
}

/// What a problem is about; filters and indicators group by it.
public enum ProblemCategory: String, StoredState {
    case water, roads, lighting, waste, education, health, kindergarten, youth, culture, sport, social
    case economy, safety, environment, irrigation, pasture, transport, governance, other

    public var catalogKey: String { "problem.category.\(rawValue)" }
}
