import Foundation

/// CLDR plural categories of cardinal numbers, for the three languages: Russian has one (1, 21, 101 …), few (2–4,
/// 22–24 …), many (0, 5–20, 25–30 …) and other (fractions); English and Kyrgyz have one (exactly 1) and other.
/// Kyrgyz nouns stay singular after a number, so its messages rarely need them.
public enum PluralCategory: String, CaseIterable, Sendable {
    case zero, one, two, few, many, other

    /// The category of a whole number.
    public static func of(_ number: Int64, _ language: Language) -> PluralCategory {
        switch language {
        case .ky, .en: return number == 1 ? .one : .other
        case .ru:
            let n = number.magnitude, last = n % 10, lastTwo = n % 100
            if last == 1 && lastTwo != 11 { return .one }
            if (2...4).contains(last) && !(12...14).contains(lastTwo) { return .few }
            return .many
        }
    }

    /// The category of a number as it is shown in this language (`1 234`, `21`, `12,5`, `1,234.50`): a number shown
    /// with a fraction is "other" in all three languages, as CLDR has it; text that is no number, nil.
    public static func of(shown text: String, _ language: Language) -> PluralCategory? {
        guard let number = ShownNumber(text, language) else { return nil }
        return number.fraction.isEmpty ? of(number.whole, language) : .other
    }
}

/// A number as a page shows it, read back: its whole part and the digits after the decimal separator.
struct ShownNumber {
    let whole: Int64
    let fraction: String

    init?(_ text: String, _ language: Language) {
        let decimalSeparator: Character = language == .en ? "." : ","
        var digits = "", fraction = "", afterSeparator = false
        for character in text.trimmingCharacters(in: .whitespaces) {
            if character.isASCII && character.isNumber {
                if afterSeparator { fraction.append(character) } else { digits.append(character) }
            } else if character == decimalSeparator && !afterSeparator {
                afterSeparator = true
            } else if !(character.isWhitespace || character == "," || character == "-") {
                return nil
            }
        }
        guard let whole = Int64(digits.prefix(18)) else { return nil }
        self.whole = whole
        self.fraction = fraction
    }
}
