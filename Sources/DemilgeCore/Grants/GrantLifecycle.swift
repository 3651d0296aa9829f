import Foundation

/// A grant application's life, from draft to closure (seed 000's six stages, seeds 002 and 004).
public enum GrantStatus: String, CaseIterable, Codable, Sendable {
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

/// Who moves an application on: the applicant organisation, the programme's manager, or its commission.
public enum GrantParty: String, CaseIterable, Sendable {
    case applicant, programmeManager = "programme_manager", commission
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
        let deciders: Set<GrantParty> = [.programmeManager, .commission]
        switch status {
        case .draft: return [step(.submitted, [.applicant])]
        case .submitted: return [step(.eligible, manager), step(.ineligible, manager, reason: true), step(.withdrawn, [.applicant], reason: true)]
        case .eligible: return [step(.underReview, manager), step(.withdrawn, [.applicant], reason: true)]
        case .underReview: return [step(.scored, deciders), step(.withdrawn, [.applicant], reason: true)]
        case .scored: return [step(.approved, deciders), step(.reserve, deciders), step(.rejected, deciders, reason: true)]
        case .reserve: return [step(.approved, deciders), step(.rejected, deciders, reason: true)]
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
