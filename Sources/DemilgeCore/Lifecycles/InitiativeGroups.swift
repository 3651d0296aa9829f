import Foundation

/// Which part of the community a member of an initiative group comes from (seed 001).
public enum Sector: String, CaseIterable, Codable, Sendable {
    case activist, business, official, citizen
    public var catalogKey: String { "sector.\(rawValue)" }
}

/// A membership is requested by the person or offered by the coordinator; the other side
/// confirms it.
public enum MembershipStatus: String, StoredState {
    case requested, invited, member
    public var catalogKey: String { "membership.\(rawValue)" }
}
