/// Who took part in a round among verified residents, by sex and age band, as published: a cell of 1 to
/// `smallest - 1` people is shown only as "fewer than `smallest`", so a village's table cannot point at one person.
public struct Turnout: Equatable, Sendable {
    public static let smallest = 5

    public private(set) var counts = Participants()
    /// Verified people whose sex or birth date the roll does not give.
    public private(set) var unknown = 0

    public init() {}

    public mutating func add(sex: Sex?, band: AgeBand?, count: Int) {
        guard let sex, let band else { unknown = unknown.saturatingAdding(count); return }
        counts[sex, band] = counts[sex, band].saturatingAdding(count)
    }

    public var total: Int { counts.total.saturatingAdding(unknown) }

    /// The count as published: nil for a cell too small to show.
    public static func published(_ count: Int) -> Int? { count > 0 && count < smallest ? nil : count }
}
