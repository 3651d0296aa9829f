import Foundation

/// The events through which municipalities learn from each other and account to residents (seeds 001–003).
public enum EventKind: String, StoredState {
    case exchangeVisit = "exchange_visit"
    case roundTable = "round_table"
    case conference
    case training
    case budgetHearing = "budget_hearing"

    public var catalogKey: String { "event.kind.\(rawValue)" }
}
