import Foundation

/// Whole numbers typed by people or sent by clients, read without trapping: ASCII digits only (an optional
/// leading minus where the range allows it), at most 18 digits, and within the range the field allows.
/// Anything else — `9223372036854775808`, `1e9`, `١٢`, `+3`, `0x10`, an empty string — is nil.
public enum BoundedInt {
    public static func parse(_ text: some StringProtocol, in range: ClosedRange<Int>) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let negative = trimmed.hasPrefix("-")
        let digits = negative ? trimmed.dropFirst() : Substring(trimmed)
        guard !digits.isEmpty, digits.count <= 18, digits.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
              let magnitude = Int(digits) else { return nil }
        let value = negative ? -magnitude : magnitude
        return range.contains(value) ? value : nil
    }
}

/// Sums that cannot trap: counts saturate at the largest value (a display then shows a huge number,
/// never a crash); amounts report overflow so the caller can refuse them.
extension Sequence where Element == Int {
    public func saturatingSum() -> Int {
        reduce(0) { total, next in
            let (sum, overflow) = total.addingReportingOverflow(next)
            return overflow ? (next > 0 ? .max : .min) : sum
        }
    }
}

extension Sequence where Element == Int64 {
    public func saturatingSum() -> Int64 {
        reduce(0) { total, next in
            let (sum, overflow) = total.addingReportingOverflow(next)
            return overflow ? (next > 0 ? .max : .min) : sum
        }
    }

    /// The exact sum, or nil when it does not fit in 64 bits.
    public func checkedSum() -> Int64? {
        var total: Int64 = 0
        for value in self {
            let (sum, overflow) = total.addingReportingOverflow(value)
            if overflow { return nil }
            total = sum
        }
        return total
    }
}

extension Int {
    /// `self + other`, held at the largest or smallest value instead of trapping.
    public func saturatingAdding(_ other: Int) -> Int {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : sum
    }
}

extension Int64 {
    public func saturatingAdding(_ other: Int64) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : sum
    }

    public func saturatingSubtracting(_ other: Int64) -> Int64 {
        let (difference, overflow) = subtractingReportingOverflow(other)
        return overflow ? (other < 0 ? .max : .min) : difference
    }

    public func saturatingMultiplied(by other: Int64) -> Int64 {
        let (product, overflow) = multipliedReportingOverflow(by: other)
        return overflow ? ((self < 0) == (other < 0) ? .max : .min) : product
    }
}

/// Which page of a list to show: `page` 1…10 000, `per_page` 1…100, so an offset always fits and no list
/// is read past what anyone could page to. A value outside the bounds is refused, not clamped, so a client
/// learns its mistake.
public struct ListPage: Equatable, Sendable {
    public static let maximumPage = 10_000
    public static let maximumPerPage = 100

    public let page: Int
    public let perPage: Int

    public enum Problem: Error, Equatable, Sendable { case page, perPage }

    public init(page: Int = 1, perPage: Int) {
        self.page = min(max(page, 1), Self.maximumPage)
        self.perPage = min(max(perPage, 1), Self.maximumPerPage)
    }

    /// Reads the two query values as sent (nil when absent).
    public static func parse(page: String?, perPage: String?, defaultPerPage: Int) throws(Problem) -> ListPage {
        var pageNumber = 1, size = defaultPerPage
        if let page {
            guard let value = BoundedInt.parse(page, in: 1...maximumPage) else { throw .page }
            pageNumber = value
        }
        if let perPage {
            guard let value = BoundedInt.parse(perPage, in: 1...maximumPerPage) else { throw .perPage }
            size = value
        }
        return ListPage(page: pageNumber, perPage: size)
    }

    /// Rows to skip: at most 9 999 × 100.
    public var offset: Int { (page - 1) * perPage }
    public var range: Range<Int> { offset..<(offset + perPage) }
}

extension Dictionary {
    /// A dictionary from pairs where a repeated key keeps its first value. (`uniqueKeysWithValues` traps on a
    /// repeated key, and keys built from stored data — names, codes — can repeat.)
    public init(firstValues pairs: some Sequence<(Key, Value)>) {
        self.init(pairs, uniquingKeysWith: { first, _ in first })
    }
}
