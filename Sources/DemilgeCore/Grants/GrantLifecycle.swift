import Foundation

/// A grant application's life, from draft to closure (seed 000's six stages, seeds 002 and 004).
public enum GrantStatus: String, StoredState {
    case draft, submitted, withdrawn
    case eligible, ineligible
    case underReview = "under_review"
    case scored
    case approved, reserve, rejected
    case contracted
    case inImplementation = "in_implementation"
    case completed, terminated, closed

    public var catalogKey: String { "grant.status.\(rawValue)" }
}

/// Who moves an application on: the applicant organisation or the programme's manager by a form, or the
/// commission's work itself — the review (the last unconflicted reviewer's score sheet completes it) and the
/// call's decision (the ranking within the budget). No single reviewer moves an application.
public enum GrantParty: String, CaseIterable, Sendable {
    case applicant, programmeManager = "programme_manager"
    case review, decision

    /// Parties that are the server's own steps, never a person's choice on a form.
    public var isAutomatic: Bool { self == .review || self == .decision }
}

public enum GrantLifecycle {
    public struct Step: Equatable, Sendable {
        public let to: GrantStatus
        public let by: Set<GrantParty>
        /// Whether the step needs a reason (refusals, withdrawals, terminations), shown in public.
        public let needsReason: Bool
    }

    public static func steps(from status: GrantStatus) -> [Step] {
        func step(_ to: GrantStatus, _ by: Set<GrantParty>, reason: Bool = false) -> Step { Step(to: to, by: by, needsReason: reason) }
        let manager: Set<GrantParty> = [.programmeManager]
        switch status {
        case .draft: return [step(.submitted, [.applicant])]
        case .submitted: return [step(.eligible, manager), step(.ineligible, manager, reason: true), step(.withdrawn, [.applicant], reason: true)]
        case .eligible: return [step(.underReview, manager), step(.withdrawn, [.applicant], reason: true)]
        case .underReview: return [step(.scored, [.review]), step(.withdrawn, [.applicant], reason: true)]
        // Only the call's decision ranks and awards; a reserve is funded later by the manager when money frees up.
        case .scored: return [step(.approved, [.decision]), step(.reserve, [.decision]), step(.rejected, [.decision], reason: true)]
        case .reserve: return [step(.approved, manager), step(.rejected, manager, reason: true)]
        case .approved: return [step(.contracted, manager), step(.withdrawn, [.applicant], reason: true)]
        case .contracted: return [step(.inImplementation, manager), step(.terminated, manager, reason: true)]
        case .inImplementation: return [step(.completed, manager), step(.terminated, manager, reason: true)]
        case .completed, .terminated: return [step(.closed, manager)]
        case .withdrawn, .ineligible, .rejected, .closed: return []
        }
    }

    public enum Refusal: Error, Equatable, Sendable {
        case notAllowed(from: GrantStatus, to: GrantStatus)
        case wrongParty(GrantParty)
        case reasonRequired
    }

    /// Checks one move; the reason is trimmed before it counts.
    public static func check(from: GrantStatus, to: GrantStatus, by party: GrantParty, reason: String = "") -> Refusal? {
        guard let step = steps(from: from).first(where: { $0.to == to }) else { return .notAllowed(from: from, to: to) }
        guard step.by.contains(party) else { return .wrongParty(party) }
        if step.needsReason && reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return .reasonRequired }
        return nil
    }

    /// Seed 000's six stages, and which of them an application in this status has reached.
    public enum Stage: Int, CaseIterable, Sendable {
        case problemsProposed = 1, prioritiesSet, mainProblemChosen, proposal, contract, monitoring
        public var catalogKey: String { "grant.stage.\(rawValue)" }
    }

    public static func stage(of status: GrantStatus) -> Stage {
        switch status {
        case .draft, .submitted, .withdrawn, .eligible, .ineligible, .underReview, .scored, .approved, .reserve, .rejected: .proposal
        case .contracted: .contract
        case .inImplementation, .completed, .terminated, .closed: .monitoring
        }
    }
}
