import Foundation

/// A currency Demilge records amounts in. Amounts are always integer minor units.
public enum Currency: String, CaseIterable, Codable, Sendable {
    case kgs = "KGS", usd = "USD", eur = "EUR", chf = "CHF"

    /// The unit word after an amount, per language, agreeing with the amount's plural category (`PluralCategory`).
    public func unit(_ language: Language, _ category: PluralCategory = .other) -> String {
        switch (self, language) {
        case (.kgs, .en): "som"
        case (.kgs, _): "сом"
        case (.usd, .ky): "АКШ доллары"
        case (.usd, .ru): "долл. США"
        case (.usd, .en): category == .one ? "US dollar" : "US dollars"
        case (.eur, .en): "euro"
        case (.eur, _): "евро"
        case (.chf, .ky): "швейцар франкы"
        case (.chf, .ru): category == .one ? "швейц. франк" : category == .few || category == .other ? "швейц. франка" : "швейц. франков"
        case (.chf, .en): category == .one ? "Swiss franc" : "Swiss francs"
        }
    }
}

/// An exact amount of money: integer minor units (tyiyn for сом, cents otherwise). Never floating point.
public struct Money: Hashable, Codable, Sendable, Comparable {
    public var minorUnits: Int64
    public var currency: Currency

    public init(minorUnits: Int64, currency: Currency = .kgs) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    /// Whole units: `Money.som(1_234_567)` is 1 234 567 сом.
    public static func som(_ whole: Int64) -> Money { Money(minorUnits: whole.saturatingMultiplied(by: 100), currency: .kgs) }
    public static func whole(_ whole: Int64, _ currency: Currency) -> Money { Money(minorUnits: whole.saturatingMultiplied(by: 100), currency: currency) }

    /// Amounts added up without trapping (each recorded amount is at most `maximumMinorUnits`, so real sums never saturate).
    public static func sum(_ amounts: some Sequence<Int64>) -> Int64 { amounts.saturatingSum() }

    /// Amounts in one currency compare by value; different currencies never mix in a sum, and sort by currency
    /// code first so that a mixed list still has one order (no trap on data that breaks the rule).
    public static func < (lhs: Money, rhs: Money) -> Bool {
        guard lhs.currency == rhs.currency else { return lhs.currency.rawValue < rhs.currency.rawValue }
        return lhs.minorUnits < rhs.minorUnits
    }

    /// `1 234 567 сом`; fractions only when there are some: `1 234 567,50 сом`.
    public func formatted(_ language: Language) -> String {
        let digits = minorUnits % 100 == 0 ? 0 : 2
        let value = Decimal(minorUnits) / 100
        let category = digits == 0 ? PluralCategory.of(minorUnits / 100, language) : .other
        return "\(Formatters.decimal(value, fractionDigits: digits, language)) \(currency.unit(language, category))"
    }

    public enum Decimals: Sendable {
        /// `1450000.00`, for open data (IATI, CSV, the API).
        case always
        /// `400000` or `400000.50`: as typed back into a form, and in pabulib files.
        case whenNeeded
    }

    /// The amount with a point and no grouping or currency, as machines and forms read it back.
    public func plain(_ decimals: Decimals) -> String {
        let magnitude = minorUnits.magnitude, whole = (minorUnits < 0 ? "-" : "") + String(magnitude / 100)
        let fraction = magnitude % 100
        if decimals == .whenNeeded && fraction == 0 { return whole }
        return whole + "." + (fraction < 10 ? "0" : "") + String(fraction)
    }

    public enum ParseError: Error, Equatable {
        case empty, notANumber, tooManyFractionDigits, negative, tooLarge
    }

    /// The largest amount Demilge records: one trillion (10¹²) whole units, far above any municipal or national
    /// budget line, and small enough that the sum of a hundred thousand such amounts still fits in 64 bits.
    public static let maximumMinorUnits: Int64 = 100_000_000_000_000

    /// Parses what a person types: `1 234 567`, `1234567,50`, `1234567.5`; in English as the pages show amounts,
    /// `1,234,567.50` (a comma there only separates thousands: `1234,50` is refused, not read as 123 450). Exact, no
    /// floating point.
    public static func parse(_ text: String, as language: Language? = nil, currency: Currency = .kgs) throws(ParseError) -> Money {
        var cleaned = text.filter { !$0.isWhitespace && $0 != "\u{00A0}" && $0 != "\u{202F}" }
        guard !cleaned.isEmpty else { throw .empty }
        if cleaned.hasPrefix("-") { throw .negative }
        if language == .en { cleaned = try withoutThousandsCommas(cleaned) }
        let parts = cleaned.replacingOccurrences(of: ",", with: ".").split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let wholePart = parts.first, !wholePart.isEmpty,
              wholePart.allSatisfy(\.isASCII), wholePart.allSatisfy(\.isNumber) else { throw .notANumber }
        let fraction = parts.count == 2 ? parts[1] : ""
        guard fraction.allSatisfy({ $0.isASCII && $0.isNumber }) else { throw .notANumber }
        guard fraction.count <= 2 else { throw .tooManyFractionDigits }
        guard wholePart.count <= 15, let whole = Int64(wholePart) else { throw .tooLarge }
        let minor = Int64(fraction.padding(toLength: 2, withPad: "0", startingAt: 0)) ?? 0
        let total = whole * 100 + minor
        guard total <= maximumMinorUnits else { throw .tooLarge }
        return Money(minorUnits: total, currency: currency)
    }

    /// `1,234,567.50` → `1234567.50`; commas anywhere but between groups of three digits are not a number.
    private static func withoutThousandsCommas(_ text: String) throws(ParseError) -> String {
        let whole = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let groups = whole[0].split(separator: ",", omittingEmptySubsequences: false)
        guard groups.count > 1 else { return text }
        guard (1...3).contains(groups[0].count), groups.dropFirst().allSatisfy({ $0.count == 3 }) else { throw .notANumber }
        return groups.joined() + (whole.count == 2 ? "." + whole[1] : "")
    }

    /// The amount as a form shows it for editing, in the reader's language and read back by `parse(_:as:)`:
    /// `400 000,50` in ky and ru, `400,000.50` in en, fractions only when there are some.
    public func editable(_ language: Language) -> String {
        Formatters.decimal(Decimal(minorUnits) / 100, fractionDigits: minorUnits % 100 == 0 ? 0 : 2, language)
    }
}
