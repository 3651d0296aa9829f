import Foundation

/// How much of a country to make: the national figures of issue 13 times a scale (1 = the whole country).
struct NationalScale: Sendable, Equatable, CustomStringConvertible {
    let factor: Double

    /// `national`, or a fraction in (0, 1] such as `0.01`.
    init?(_ text: String) {
        if text == "national" { factor = 1; return }
        guard let value = Double(text), value > 0, value <= 1 else { return nil }
        factor = value
    }

    init(factor: Double) { self.factor = min(1, max(factor, 0.000_01)) }

    var description: String { factor == 1 ? "national" : String(factor) }

    /// The national figure scaled, at least `minimum`.
    func of(_ national: Int, minimum: Int = 1) -> Int { max(minimum, Int((Double(national) * factor).rounded())) }

    var municipalities: Int { of(480, minimum: 2) }
    var settlements: Int { of(1_800, minimum: 4) }
    var residents: Int { of(200_000, minimum: 50) }
    var organisations: Int { of(5_000, minimum: 10) }
    var problems: Int { of(100_000, minimum: 10) }
    var supports: Int { of(1_000_000, minimum: 20) }
    var comments: Int { of(200_000, minimum: 5) }
    var sessions: Int { of(5_000, minimum: 2) }
    var rounds: Int { of(500, minimum: 2) }
    var ballots: Int { of(1_000_000, minimum: 20) }
    /// The largest round, like Łódź: about 9 % of all ballots.
    var largestRound: Int { of(90_000, minimum: 10) }
    var calls: Int { of(200, minimum: 2) }
    var applications: Int { of(20_000, minimum: 4) }
}
