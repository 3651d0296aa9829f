import Foundation

/// The grammatical cases whose ending a Kyrgyz number can take when written in digits ("3төн", "30га").
public enum KyrgyzCase: String, CaseIterable, Sendable {
    case genitive, dative, accusative, locative, ablative
}

/// Case endings for numbers written in digits. The ending follows how the number is read aloud: its last spoken
/// word (бир, эки, … он, жыйырма, … жүз, миң, миллион) gives the vowel (harmony with its last vowel) and the
/// first consonant of the ending (after a vowel, a voiced or a voiceless sound): 3 → үч → "3төн", 5 → беш → "5тен",
/// 10 → он → "10дон", 0 → нөл → "0дөн", 30 → отуз → "30га".
public enum KyrgyzNumeral {
    private static let ones = ["", "бир", "эки", "үч", "төрт", "беш", "алты", "жети", "сегиз", "тогуз"]
    private static let tens = ["", "он", "жыйырма", "отуз", "кырк", "элүү", "алтымыш", "жетимиш", "сексен", "токсон"]

    /// The last word said when reading the whole number aloud.
    public static func lastSpokenWord(_ number: Int64) -> String {
        let n = number.magnitude
        if n == 0 { return "нөл" }
        if n % 10 != 0 { return ones[Int(n % 10)] }
        if n % 100 != 0 { return tens[Int(n % 100 / 10)] }
        if n % 1_000 != 0 { return "жүз" }
        if n % 1_000_000 != 0 { return "миң" }
        if n % 1_000_000_000 != 0 { return "миллион" }
        if n % 1_000_000_000_000 != 0 { return "миллиард" }
        return "триллион"
    }

    /// The ending of `number` in `grammaticalCase`, to write straight after its digits.
    public static func ending(_ number: Int64, _ grammaticalCase: KyrgyzCase) -> String {
        ending(after: lastSpokenWord(number), grammaticalCase)
    }

    /// The ending after a number as shown (`1 234`, `12,5`): a fraction is read after the whole ("он эки бүтүн ондон
    /// беш"), so its own digits decide. Nil for text that is no number.
    public static func ending(shown text: String, _ grammaticalCase: KyrgyzCase) -> String? {
        guard let number = ShownNumber(text, .ky) else { return nil }
        let fraction = number.fraction.drop { $0 == "0" }
        guard !fraction.isEmpty else { return ending(number.whole, grammaticalCase) }
        return ending(Int64(fraction.prefix(18)) ?? 0, grammaticalCase)
    }

    /// The text with the ending of `grammaticalCase`: a number as shown takes its numeral ending ("3төн"), a long date
    /// the ending of its month's possessive ("2025-жылдын 15-мартында"); other text is returned as it is.
    public static func inflect(_ text: String, _ grammaticalCase: KyrgyzCase) -> String {
        if let last = text.last, last.isASCII && last.isNumber, let ending = ending(shown: text, grammaticalCase) { return text + ending }
        guard let word = text.split(separator: "-").last.map(String.init), Formatters.kyrgyzMonthsPossessive.contains(word),
              let lastVowel = word.last(where: vowels.contains) else { return text }
        // After the possessive of the third person: н, then the case's own ending.
        let (low, high): (String, String) = lastVowel == "и" ? ("е", "и") : lastVowel == "у" ? ("а", "у") : ("а", "ы")
        switch grammaticalCase {
        case .genitive: return text + "н" + high + "н"
        case .dative: return text + "н" + low
        case .accusative: return text + "н"
        case .locative: return text + "нд" + low
        case .ablative: return text + "н" + low + "н"
        }
    }

    private static let vowels: Set<Character> = ["а", "е", "ё", "и", "о", "ө", "у", "ү", "ы", "э", "ю", "я"]
    private static let voiceless: Set<Character> = ["к", "п", "с", "т", "ф", "х", "ц", "ч", "ш", "щ"]

    /// The ending after a word, by the rules of harmony and assimilation (GLOSSARY.md).
    static func ending(after word: String, _ grammaticalCase: KyrgyzCase) -> String {
        guard let last = word.last, let lastVowel = word.last(where: vowels.contains) else { return "" }
        let sound: Sound = vowels.contains(last) ? .vowel : voiceless.contains(last) ? .voiceless : .voiced
        // A: а after а/ы/у/я/ю, о after о/ё, е after е/и/э, ө after ө/ү. I: ы, у, и, ү after the same groups (у takes у).
        let (low, high): (Character, Character) = switch lastVowel {
        case "о", "ё": ("о", "у")
        case "у", "ю": ("а", "у")
        case "е", "и", "э": ("е", "и")
        case "ө", "ү": ("ө", "ү")
        default: ("а", "ы")
        }
        switch grammaticalCase {
        case .dative: return (sound == .voiceless ? "к" : "г") + String(low)
        case .locative: return (sound == .voiceless ? "т" : "д") + String(low)
        case .ablative: return (sound == .voiceless ? "т" : "д") + String(low) + "н"
        case .genitive: return sound.onsetN + String(high) + "н"
        case .accusative: return sound.onsetN + String(high)
        }
    }

    private enum Sound {
        case vowel, voiced, voiceless

        /// The first consonant of the genitive and accusative: н after a vowel, д after a voiced sound, т after a voiceless one.
        var onsetN: String {
            switch self {
            case .vowel: "н"
            case .voiced: "д"
            case .voiceless: "т"
            }
        }
    }
}
