import BigInt
import Foundation

/// An exact fraction of arbitrary size, always reduced, denominator positive. Budgeting rules use
/// it so that ties are detected exactly, never by floating-point accident. (Method of Equal Shares
/// compounds denominators round after round, beyond any fixed width, as pabutools' gmpy2 does.)
public struct Rational: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let numerator: BigInt
    public let denominator: BigInt

    public static let zero = Rational(0)
    public static let one = Rational(1)

    public init(_ value: Int) {
        numerator = BigInt(value)
        denominator = 1
    }

    public init(_ numerator: BigInt, _ denominator: BigInt) {
        precondition(denominator != 0, "zero denominator")
        let divisor = numerator.greatestCommonDivisor(with: denominator)
        let sign: BigInt = denominator < 0 ? -1 : 1
        if divisor == 0 || divisor == 1 {
            self.numerator = sign * numerator
            self.denominator = sign * denominator
        } else {
            self.numerator = sign * numerator / divisor
            self.denominator = sign * denominator / divisor
        }
    }

    /// Parses what pabulib files write: `120905`, `400000.0`, `2372571.24`, `1,5`.
    public init?(decimal text: String) {
        let cleaned = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: ".")
        let negative = cleaned.hasPrefix("-")
        let body = negative ? String(cleaned.dropFirst()) : cleaned
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !(parts[0].isEmpty && (parts.count == 1 || parts[1].isEmpty)),
              parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }), body.count <= 30 else { return nil }
        guard let whole = BigInt(parts[0].isEmpty ? "0" : String(parts[0])) else { return nil }
        let fraction = parts.count == 2 ? String(parts[1]) : ""
        var scale: BigInt = 1
        for _ in fraction { scale *= 10 }
        guard let fractionValue = fraction.isEmpty ? BigInt(0) : BigInt(fraction) else { return nil }
        let value = whole * scale + fractionValue
        self.init(negative ? -value : value, scale)
    }

    public var description: String { denominator == 1 ? "\(numerator)" : "\(numerator)/\(denominator)" }

    /// Reads `description` back: `7`, `-7` or `22/7` (a zero denominator is not a number).
    public init?(fraction text: some StringProtocol) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.count <= 4_000 }),
              let numerator = BigInt(String(parts[0]), radix: 10) else { return nil }
        let denominator = parts.count == 2 ? BigInt(String(parts[1]), radix: 10) : BigInt(1)
        guard let denominator, denominator > 0 else { return nil }
        self.init(numerator, denominator)
    }

    public static func + (a: Rational, b: Rational) -> Rational {
        a.denominator == b.denominator ? Rational(a.numerator + b.numerator, a.denominator)
            : Rational(a.numerator * b.denominator + b.numerator * a.denominator, a.denominator * b.denominator)
    }

    public static func - (a: Rational, b: Rational) -> Rational {
        a.denominator == b.denominator ? Rational(a.numerator - b.numerator, a.denominator)
            : Rational(a.numerator * b.denominator - b.numerator * a.denominator, a.denominator * b.denominator)
    }

    public static func * (a: Rational, b: Rational) -> Rational {
        Rational(a.numerator * b.numerator, a.denominator * b.denominator)
    }

    public static func / (a: Rational, b: Rational) -> Rational {
        Rational(a.numerator * b.denominator, a.denominator * b.numerator)
    }

    public static func < (a: Rational, b: Rational) -> Bool {
        a.numerator * b.denominator < b.numerator * a.denominator
    }

    public var isZero: Bool { numerator == 0 }

    /// Rounded half away from zero to `digits` decimals, for display only (decisions use the exact value).
    public func decimal(digits: Int) -> Decimal {
        Decimal(string: fixed(digits: digits)) ?? 0
    }

    /// The same rounding as plain text with exactly `digits` decimals and a point ("80.00"), for open data.
    public func fixed(digits: Int) -> String {
        let scale = BigInt(10).power(digits)
        let rounded = (numerator.magnitude * scale.magnitude * 2 + denominator.magnitude) / (denominator.magnitude * 2)
        var text = String(rounded)
        if digits > 0 {
            text = String(repeating: "0", count: max(0, digits + 1 - text.count)) + text
            text.insert(".", at: text.index(text.endIndex, offsetBy: -digits))
        }
        return (numerator < 0 && rounded != 0 ? "-" : "") + text
    }

    /// The nearest `Double`, for fast passes that fall back on exact values near any threshold.
    public var doubleValue: Double {
        let shift = max(0, max(numerator.bitWidth, denominator.bitWidth) - 1000)
        return Double(numerator >> shift) / Double(denominator >> shift)
    }
}

extension String {
    /// Python's `str` order: compares Unicode scalars one by one (pabutools' lexicographic tie-breaking).
    public func precedesByScalars(_ other: String) -> Bool {
        var a = unicodeScalars.makeIterator()
        var b = other.unicodeScalars.makeIterator()
        while true {
            switch (a.next(), b.next()) {
            case (nil, nil): return false
            case (nil, _): return true
            case (_, nil): return false
            case (let x?, let y?): if x != y { return x.value < y.value }
            }
        }
    }
}
