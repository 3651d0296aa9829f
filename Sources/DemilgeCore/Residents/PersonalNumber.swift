import Foundation

/// A birth date as a person's documents give it: from 1900 to today (a form's `Day` covers only recent years).
public struct BirthDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    public static let earliestYear = 1900

    /// A real calendar day from 1900 up to `today`; nil otherwise.
    public init?(year: Int, month: Int, day: Int, today: Day) {
        guard (Self.earliestYear...today.year).contains(year), (1...12).contains(month),
              (1...Day.length(of: month, in: year)).contains(day),
              (year, month, day) <= (today.year, today.month, today.day) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// `1987-04-23` (as stored) or `23.04.1987` (as written in Kyrgyzstan).
    public init?(_ text: String, today: Day) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.unicodeScalars.allSatisfy({ $0.isASCII }) else { return nil }
        let iso = trimmed.split(separator: "-", omittingEmptySubsequences: false)
        let dotted = trimmed.split(separator: ".", omittingEmptySubsequences: false)
        let parts: [Substring]
        if iso.count == 3, iso[0].count == 4, iso[1].count == 2, iso[2].count == 2 { parts = [iso[2], iso[1], iso[0]] }
        else if dotted.count == 3, dotted[0].count == 2, dotted[1].count == 2, dotted[2].count == 4 { parts = dotted }
        else { return nil }
        guard parts.allSatisfy({ $0.allSatisfy(\.isNumber) }), let day = Int(parts[0]), let month = Int(parts[1]),
              let year = Int(parts[2]) else { return nil }
        self.init(year: year, month: month, day: day, today: today)
    }

    public var description: String { String(format: "%04d-%02d-%02d", year, month, day) }

    /// Whole years of age on `day`.
    public func age(on day: Day) -> Int {
        let birthdayPassed = (day.month, day.day) >= (month, self.day)
        return day.year - year - (birthdayPassed ? 0 : 1)
    }

    /// The band the participation tables use for a person of this birth date on `day`.
    public func ageBand(on day: Day) -> AgeBand {
        switch age(on: day) {
        case ..<18: .under18
        case 18...29: .from18to29
        case 30...59: .from30to59
        default: .over60
        }
    }

    public static func < (a: BirthDate, b: BirthDate) -> Bool { (a.year, a.month, a.day) < (b.year, b.month, b.day) }
}

/// A ПИН (персональный идентификационный номер, жеке идентификациялык номер): 14 digits.
///
/// As the civil registry (ЗАГС, under Government decree No. 619 of 28 September 2017) commonly issues it, the first
/// digit gives the sex (1 female, 2 male), the next eight the birth date as ДДММГГГГ, and the last five tell apart
/// people born the same day. A number whose first digit is 1 or 2 must carry a real, past birth date; a number with
/// another first digit (issued otherwise) is accepted as 14 digits, and the roll's own birth date and sex are used.
/// The number itself is never kept: only its keyed hash (see the app's `PersonalNumberHasher`).
public struct PersonalNumber: Sendable {
    public let digits: String
    /// The sex and birth date the number carries, when it follows the common form.
    public let implied: (sex: Sex, birthDate: BirthDate)?

    public enum Problem: Error, Equatable, Sendable {
        /// Not 14 digits (spaces and dashes between digits are allowed and dropped).
        case notFourteenDigits
        /// Follows the common form (first digit 1 or 2) but the birth date in it is not a real past day.
        case impossibleBirthDate

        public var catalogKey: String {
            switch self {
            case .notFourteenDigits: "roll.pin_length"
            case .impossibleBirthDate: "roll.pin_date"
            }
        }
    }

    public static func parse(_ text: String, today: Day) -> Result<PersonalNumber, Problem> {
        let kept = text.unicodeScalars.filter { !CharacterSet(charactersIn: " -\u{00A0}").contains($0) }
        guard kept.count == 14, kept.allSatisfy({ ("0"..."9").contains($0) }) else { return .failure(.notFourteenDigits) }
        let digits = String(String.UnicodeScalarView(kept))
        let values = digits.compactMap { $0.wholeNumberValue }
        let sex: Sex?
        switch values[0] {
        case 1: sex = .female
        case 2: sex = .male
        default: sex = nil
        }
        guard let sex else { return .success(PersonalNumber(digits: digits, implied: nil)) }
        func number(_ range: Range<Int>) -> Int { values[range].reduce(0) { $0 * 10 + $1 } }
        guard let birth = BirthDate(year: number(5..<9), month: number(3..<5), day: number(1..<3), today: today) else {
            return .failure(.impossibleBirthDate)
        }
        return .success(PersonalNumber(digits: digits, implied: (sex, birth)))
    }
}
