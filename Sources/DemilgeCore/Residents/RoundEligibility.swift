/// Who may vote in a budgeting round: residents verified against the roll (one person, one ballot), or anyone who
/// says they live in the territory (when there is no roll; the round says so and its results count the verified).
public enum RoundEligibility: String, StoredState {
    case verified
    case selfDeclared = "self_declared"

    public var catalogKey: String { "rounds.eligibility.\(rawValue)" }
}
