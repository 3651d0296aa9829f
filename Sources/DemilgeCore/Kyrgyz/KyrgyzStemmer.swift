import Foundation

/// A suffix-stripping stemmer for Kyrgyz nouns, built from the suffix tables in GLOSSARY.md
/// (after apertium-kir's paradigms): a word is STEM + PLURAL + POSSESSIVE + CASE, stripped right to left.
/// Its output is a search key: every inflected form of a noun should give the key of the bare noun,
/// so "айыл" finds "айылдарынан". It does not check vowel harmony; it only accepts a suffix where the
/// letter before it allows that variant (н-, д- or т- onsets), which keeps words like "район" whole.
public enum KyrgyzStemmer {
    static let vowels: Set<Character> = ["а", "е", "ё", "и", "о", "ө", "у", "ү", "ы", "э", "ю", "я"]
    static let voiceless: Set<Character> = ["к", "п", "с", "т", "ф", "х", "ц", "ч", "ш", "щ"]

    enum Before { case vowel, consonant, voiced, voiceless, vowelOrVoiced, vowelJR, px3, px1or2sg }

    struct Suffix {
        let text: String
        let before: Before
    }

    static func variants(_ forms: [String], _ before: Before) -> [Suffix] { forms.map { Suffix(text: $0, before: before) } }

    static let cases: [Suffix] = {
        var list: [Suffix] = []
        // Genitive, accusative, dative, locative, ablative; the н-forms follow a third-person possessive.
        list += variants(["нын", "нин", "нун", "нүн"], .vowel) + variants(["дын", "дин", "дун", "дүн"], .voiced) + variants(["тын", "тин", "тун", "түн"], .voiceless)
        list += variants(["ны", "ни", "ну", "нү"], .vowel) + variants(["ды", "ди", "ду", "дү"], .voiced) + variants(["ты", "ти", "ту", "тү"], .voiceless)
        list += variants(["н"], .px3)
        list += variants(["га", "ге", "го", "гө"], .vowelOrVoiced) + variants(["ка", "ке", "ко", "кө"], .voiceless)
        list += variants(["на", "не", "но", "нө"], .px3) + variants(["а", "е", "о", "ө"], .px1or2sg)
        list += variants(["да", "де", "до", "дө"], .vowelOrVoiced) + variants(["та", "те", "то", "тө"], .voiceless) + variants(["нда", "нде", "ндо", "ндө"], .px3)
        // The attributive locative (-дагы: "Ош облусундагы") behaves like the locative.
        list += variants(["дагы", "деги", "догу", "дөгү"], .vowelOrVoiced) + variants(["тагы", "теги", "тогу", "төгү"], .voiceless)
        list += variants(["ндагы", "ндеги", "ндогу", "ндөгү"], .px3)
        list += variants(["дан", "ден", "дон", "дөн"], .vowelOrVoiced) + variants(["тан", "тен", "тон", "төн"], .voiceless)
        list += variants(["нан", "нен", "нон", "нөн"], .px3) + variants(["ан", "ен", "он", "өн"], .px1or2sg)
        return list.sorted { $0.text.count > $1.text.count }
    }()

    static let possessives: [Suffix] = {
        var list: [Suffix] = []
        list += variants(["ңыздар", "ңиздер", "ңуздар", "ңүздөр"], .vowel) + variants(["ыңыздар", "иңиздер", "уңуздар", "үңүздөр"], .consonant)
        list += variants(["ңыз", "ңиз", "ңуз", "ңүз"], .vowel) + variants(["ыңыз", "иңиз", "уңуз", "үңүз"], .consonant)
        list += variants(["ңар", "ңер", "ңор", "ңөр"], .vowel) + variants(["ыңар", "иңер", "уңар", "үңөр", "уңор"], .consonant)
        list += variants(["быз", "биз", "буз", "бүз"], .vowel) + variants(["ыбыз", "ибиз", "убуз", "үбүз"], .consonant)
        list += variants(["сы", "си", "су", "сү"], .vowel) + variants(["ы", "и", "у", "ү"], .consonant)
        list += variants(["м"], .vowel) + variants(["ым", "им", "ум", "үм"], .consonant)
        list += variants(["ң"], .vowel) + variants(["ың", "иң", "уң", "үң"], .consonant)
        return list.sorted { $0.text.count > $1.text.count }
    }()

    static let plurals: [Suffix] = {
        // л after vowels (and й, р); д after other voiced consonants; т after voiceless ones.
        variants(["лар", "лер", "лор", "лөр"], .vowelJR) + variants(["дар", "дер", "дор", "дөр"], .voiced) + variants(["тар", "тер", "тор", "төр"], .voiceless)
    }()

    /// Plurals that change the stem, as they are found after the case and possessive are gone.
    static let irregularPlurals: [String: String] = ["балдар": "бала", "кыздар": "кыз"]

    /// Nouns of Demilge's domain. Stripping is ambiguous where a stem ends like a suffix (таштанды, район):
    /// among the possible parses the stemmer prefers one that ends on a known noun, as Snowball stemmers keep
    /// exception lists. Words outside the list take the greedy parse (longest suffix first).
    public static let lexicon: Set<String> = [
        "айыл", "аймак", "аял", "ата", "эне", "бала", "кыз", "жигит", "жаш", "үй", "көчө", "суу", "жол", "көпүрө", "мектеп", "бакча",
        "оорукана", "клиника", "аянт", "аянтча", "спорт", "зал", "жарык", "чырак", "таштанды", "челек", "отургуч", "бак", "сейил", "парк",
        "түтүк", "канал", "арык", "жер", "жайыт", "мал", "дарак", "гүл", "бюджет", "грант", "долбоор", "демилге", "көйгөй", "маселе",
        "артыкчылык", "жамаат", "кеңеш", "өкмөт", "мэрия", "шаар", "район", "облус", "конуш", "комиссия", "топ", "мүчө", "жыйын",
        "жыйналыш", "сессия", "тургун", "жаран", "депутат", "мониторинг", "отчет", "келишим", "транш", "салым", "сынак", "өтүнмө",
        "баалоо", "упай", "добуш", "бюллетень", "тынчтык", "медиация", "уюм", "программа", "план", "мамлекет", "кызмат", "билим",
        "маданият", "электр", "газ", "таза", "курулуш", "оңдоо", "акча", "сом", "каражат", "эмгек", "ашар", "тоо", "китеп", "жашоочу",
        "чоң", "кичи", "жаңы", "эски", "бий", "студия", "аялдама", "автобус", "көл", "дарыя", "сугат", "ичүүчү", "жылуулук", "котельная",
    ]

    /// The search key of one word: lowercased, inflection stripped, final voicing undone.
    public static func stem(_ word: String, lexicon: Set<String> = KyrgyzStemmer.lexicon) -> String {
        let lower = word.lowercased().replacingOccurrences(of: "ё", with: "е")
        if lower.contains("-") { return lower.split(separator: "-").map { stem(String($0), lexicon: lexicon) }.joined(separator: "-") }
        guard lower.count > 2, lower.allSatisfy(isCyrillicLetter) else { return lower }
        if lexicon.contains(lower) { return lower }
        let candidates = parses(lower)
        return candidates.first(where: lexicon.contains) ?? candidates[0]
    }

    /// Every way to strip a case, then a possessive, then a plural, most stripped first.
    static func parses(_ word: String) -> [String] {
        var results: [String] = []
        for afterCase in options(word, cases) {
            for afterPossessive in options(afterCase, possessives) {
                let bare = irregularPlurals[afterPossessive] ?? afterPossessive
                for afterPlural in options(bare, plurals) { results.append(repaired(afterPlural)) }
            }
        }
        return results
    }

    /// The acceptable strips of one stage, longest suffix first, and the word unstripped last.
    private static func options(_ word: String, _ suffixes: [Suffix]) -> [String] {
        suffixes.compactMap { suffix -> String? in
            guard word.hasSuffix(suffix.text) else { return nil }
            let stem = String(word.dropLast(suffix.text.count))
            return isAcceptable(stem, suffix) ? stem : nil
        } + [word]
    }

    /// Optional folding for people typing on a Russian keyboard: ө→о, ү→у, ң→н.
    public static func folded(_ key: String) -> String {
        String(key.map { character -> Character in
            switch character {
            case "ө": "о"
            case "ү": "у"
            case "ң": "н"
            default: character
            }
        })
    }

    /// The keys of every word of a text, in order (numbers and Latin words lowercased as they are).
    public static func keys(_ text: String, fold: Bool = false) -> [String] {
        words(text).map { fold ? folded(stem($0)) : stem($0) }
    }

    public static func words(_ text: String) -> [String] {
        text.split { !($0.isLetter || $0.isNumber) }.map(String.init)
    }

    static func isCyrillicLetter(_ character: Character) -> Bool {
        character.unicodeScalars.allSatisfy { (0x0400...0x04FF).contains($0.value) }
    }

    /// A stem keeps at least two letters and a vowel, and the letter before the suffix must allow that variant.
    private static func isAcceptable(_ stem: String, _ suffix: Suffix) -> Bool {
        guard stem.count >= 2, stem.contains(where: vowels.contains), let last = stem.last else { return false }
        let isVowel = vowels.contains(last)
        switch suffix.before {
        case .vowel: return isVowel
        case .consonant: return !isVowel
        case .voiced: return !isVowel && !voiceless.contains(last)
        case .voiceless: return voiceless.contains(last)
        case .vowelOrVoiced: return !voiceless.contains(last)
        case .vowelJR: return isVowel || last == "й" || last == "р"
        case .px1or2sg: return last == "м" || last == "ң"
        case .px3:
            // Only where a third-person possessive comes next: сы/си/су/сү, or a consonant and ы/и/у/ү.
            guard let px = stem.last, ["ы", "и", "у", "ү"].contains(px) else { return false }
            let before = stem.dropLast().last
            return before == "с" || (before.map { !vowels.contains($0) } ?? false)
        }
    }

    /// Undoes the voicing of a stem's final consonant before a vowel suffix (китеби → китеп, тарагы → тарак).
    private static func repaired(_ stem: String) -> String {
        guard stem.count > 2, let last = stem.last else { return stem }
        switch last {
        case "б": return String(stem.dropLast()) + "п"
        case "г": return String(stem.dropLast()) + "к"
        default: return stem
        }
    }
}
