import Foundation

/// A suffix-stripping stemmer for Kyrgyz nouns, built from the suffix tables in GLOSSARY.md
/// (after apertium-kir's paradigms): a word is STEM + PLURAL + POSSESSIVE + CASE, stripped right to left.
/// Its output is a search key: every inflected form of a noun gives the key of the bare noun,
/// so "айыл" finds "айылдарынан" and the other way round. It does not check vowel harmony; it only accepts a
/// suffix where the letter before it allows that variant (н-, д- or т- onsets).
///
/// A stem may itself end like a suffix (отурум like отур + ум, катчы like катч + ы, стадион like стадио + н),
/// and the bare word cannot tell. So stripping repeats, one suffix at a time, until nothing more comes off, on the
/// bare noun and its forms alike: отурум, отурумдар and отурумуң all give "отур", катчы and катчылары "катч",
/// стадион and стадиону "стадио". The key need not be the noun, only the same for all its forms. Words in the
/// lexicon (and the irregular stems) stop the stripping, which keeps known nouns whole and apart from shorter
/// words (аким is not ак). Before a vowel the stem's voicing is undone (мектеби → мектеп), ю after a vowel is
/// read as й + у (коюна → кой + у + на), a final ь is dropped (бюллетень → бюллетени), and a short table undoes
/// irregular plurals and vowels dropped before a possessive (балдар → бала, ордуна → орун).
public enum KyrgyzStemmer {
    typealias Letters = [Unicode.Scalar]

    static let vowels: Set<Unicode.Scalar> = ["а", "е", "ё", "и", "о", "ө", "у", "ү", "ы", "э", "ю", "я"]
    static let voiceless: Set<Unicode.Scalar> = ["к", "п", "с", "т", "ф", "х", "ц", "ч", "ш", "щ"]

    enum Before { case vowel, consonant, voiced, voiceless, vowelOrVoiced, vowelJR, px3, px1or2sg }

    struct Suffix {
        let letters: Letters
        let before: Before
    }

    /// Suffixes grouped by their last letter, longest first, so that a word is only compared with those it may end in.
    struct SuffixTable {
        let byLastLetter: [Unicode.Scalar: [Suffix]]

        init(_ suffixes: [Suffix]) {
            byLastLetter = Dictionary(grouping: suffixes.sorted { $0.letters.count > $1.letters.count }) { $0.letters.last ?? " " }
        }
    }

    static func variants(_ forms: [String], _ before: Before) -> [Suffix] {
        forms.map { Suffix(letters: Array($0.unicodeScalars), before: before) }
    }

    static let cases = SuffixTable({
        var list: [Suffix] = []
        // Genitive, accusative, dative, locative, ablative; the н-forms follow a third-person possessive.
        list += variants(["нын", "нин", "нун", "нүн"], .vowel) + variants(["дын", "дин", "дун", "дүн"], .voiced) + variants(["тын", "тин", "тун", "түн"], .voiceless)
        list += variants(["ны", "ни", "ну", "нү"], .vowel) + variants(["ды", "ди", "ду", "дү"], .voiced) + variants(["ты", "ти", "ту", "тү"], .voiceless)
        // The accusative н follows a third-person possessive (айылын). It is also taken after any vowel, so that a
        // stem ending in a vowel and н (стадион) loses it as its forms do: стадиону, стадионун read as стадио + ну, нун.
        list += variants(["н"], .vowel)
        // Likewise a final д after a voiced consonant and т after a voiceless one, where an accusative -дI/-тI would
        // leave them (фонду, проекти read as фон + ду, проек + ти); native stems hardly end so.
        list += variants(["д"], .voiced) + variants(["т"], .voiceless)
        list += variants(["га", "ге", "го", "гө"], .vowelOrVoiced) + variants(["ка", "ке", "ко", "кө"], .voiceless)
        list += variants(["на", "не", "но", "нө"], .px3) + variants(["а", "е", "о", "ө"], .px1or2sg)
        list += variants(["да", "де", "до", "дө"], .vowelOrVoiced) + variants(["та", "те", "то", "тө"], .voiceless) + variants(["нда", "нде", "ндо", "ндө"], .px3)
        // The attributive locative (-дагы: "Ош облусундагы") behaves like the locative.
        list += variants(["дагы", "деги", "догу", "дөгү"], .vowelOrVoiced) + variants(["тагы", "теги", "тогу", "төгү"], .voiceless)
        list += variants(["ндагы", "ндеги", "ндогу", "ндөгү"], .px3)
        list += variants(["дан", "ден", "дон", "дөн"], .vowelOrVoiced) + variants(["тан", "тен", "тон", "төн"], .voiceless)
        list += variants(["нан", "нен", "нон", "нөн"], .px3) + variants(["ан", "ен", "он", "өн"], .px1or2sg)
        return list
    }())

    static let possessives = SuffixTable({
        var list: [Suffix] = []
        list += variants(["ңыздар", "ңиздер", "ңуздар", "ңүздөр"], .vowel) + variants(["ыңыздар", "иңиздер", "уңуздар", "үңүздөр"], .consonant)
        list += variants(["ңыз", "ңиз", "ңуз", "ңүз"], .vowel) + variants(["ыңыз", "иңиз", "уңуз", "үңүз"], .consonant)
        list += variants(["ңар", "ңер", "ңор", "ңөр"], .vowel) + variants(["ыңар", "иңер", "уңар", "үңөр", "уңор"], .consonant)
        list += variants(["быз", "биз", "буз", "бүз"], .vowel) + variants(["ыбыз", "ибиз", "убуз", "үбүз"], .consonant)
        list += variants(["сы", "си", "су", "сү"], .vowel) + variants(["ы", "и", "у", "ү"], .consonant)
        list += variants(["м"], .vowel) + variants(["ым", "им", "ум", "үм"], .consonant)
        list += variants(["ң"], .vowel) + variants(["ың", "иң", "уң", "үң"], .consonant)
        return list
    }())

    // л after vowels (and й, р); д after other voiced consonants; т after voiceless ones.
    static let plurals = SuffixTable(
        variants(["лар", "лер", "лор", "лөр"], .vowelJR) + variants(["дар", "дер", "дор", "дөр"], .voiced) + variants(["тар", "тер", "тор", "төр"], .voiceless))

    /// Stems that change, as they are found once the case and possessive are gone: irregular plurals, and nouns
    /// that drop a vowel before a possessive (мурун → мурду, орун → ордуна, ийин → ийни).
    static let irregularStems: [String: String] = [
        "балдар": "бала", "кыздар": "кыз", "мурд": "мурун", "орд": "орун", "ийн": "ийин", "убакты": "убакыт",
    ]

    static let irregularLetters: [ArraySlice<Unicode.Scalar>: Letters] = Dictionary(
        firstValues: irregularStems.map { (Array($0.key.unicodeScalars)[...], Array($0.value.unicodeScalars)) })

    /// The nouns the irregular stems lead to; stripping stops at them whatever the lexicon.
    static let irregularNouns: Set<ArraySlice<Unicode.Scalar>> = Set(irregularLetters.values.map { $0[...] })

    /// Nouns of Demilge's domain, written as the stemmer reads them (no final ь). Stripping is ambiguous where a
    /// stem ends like a suffix (таштанды, район): among the possible parses the stemmer prefers one that ends on a
    /// known noun, as Snowball stemmers keep exception lists, and it strips no further. Other words lose one suffix
    /// at a time (a case before a possessive before a plural, the longest that fits) until nothing more comes off.
    public static let lexicon: Set<String> = [
        "айыл", "аймак", "аял", "ата", "эне", "бала", "кыз", "жигит", "жаш", "үй", "көчө", "суу", "жол", "көпүрө", "мектеп", "бакча",
        "оорукана", "клиника", "аянт", "аянтча", "спорт", "зал", "жарык", "чырак", "таштанды", "челек", "отургуч", "бак", "сейил", "парк",
        "түтүк", "канал", "арык", "жер", "жайыт", "мал", "дарак", "гүл", "бюджет", "грант", "долбоор", "демилге", "көйгөй", "маселе",
        "артыкчылык", "жамаат", "кеңеш", "өкмөт", "мэрия", "шаар", "район", "облус", "конуш", "комиссия", "топ", "мүчө", "жыйын",
        "жыйналыш", "сессия", "тургун", "жаран", "депутат", "мониторинг", "отчет", "келишим", "транш", "салым", "сынак", "өтүнмө",
        "баалоо", "упай", "добуш", "бюллетен", "тынчтык", "медиация", "уюм", "программа", "план", "мамлекет", "кызмат", "билим",
        "маданият", "электр", "газ", "таза", "курулуш", "оңдоо", "акча", "сом", "каражат", "эмгек", "ашар", "тоо", "китеп", "жашоочу",
        "чоң", "кичи", "жаңы", "эски", "бий", "студия", "аялдама", "автобус", "көл", "дарыя", "сугат", "ичүүчү", "жылуулук", "котельная",
        // Nouns whose last letters look like a suffix, so that rules alone would cut them, often to another word (аким → ак).
        "аким", "адам", "жардам", "илим", "мыйзам", "коом", "мугалим", "чечим", "бөлүм", "төлөм", "чыгым", "кийим", "кызматчы",
        "кызматкер", "окуучу", "каржы", "коңшу", "пайда", "майдан", "машина", "бийлик", "окутуу", "орун", "мурун",
        "күн", "тууган", "токтом", "орган", "маани", "тизме", "убакыт", "фонд", "проект",
    ]

    /// The default lexicon as letters, for lookups without building and normalising a String per candidate.
    static let lexiconLetters: Set<ArraySlice<Unicode.Scalar>> = Set(lexicon.map { prepared($0)[...] })

    /// The search key of one word: lowercased, inflection stripped, final voicing undone.
    /// `lexicon` replaces the built-in list of known nouns (nil keeps it; tests pass `[]` to try the rules alone).
    public static func stem(_ word: String, lexicon: Set<String>? = nil) -> String {
        let lower = word.lowercased()
        if lower.contains(where: { $0 == "-" }) {
            return lower.split(separator: "-").map { stem(String($0), lexicon: lexicon) }.joined(separator: "-")
        }
        guard lower.count > 2, lower.allSatisfy(isCyrillicLetter) else {
            return lower.contains(where: { $0 == "ё" }) ? lower.replacingOccurrences(of: "ё", with: "е") : lower
        }
        func isKnown(_ letters: ArraySlice<Unicode.Scalar>) -> Bool {
            if irregularNouns.contains(letters) { return true }
            guard let lexicon else { return lexiconLetters.contains(letters) }
            return !lexicon.isEmpty && lexicon.contains(spelled(letters))
        }
        var current = prepared(lower)
        while !isKnown(current[...]) {
            if let known = knownParse(current, isKnown) {
                current = known
                break
            }
            guard let next = outermostStrip(current) else { break }
            current = next
        }
        return spelled(current[...])
    }

    /// The word without its last suffix: a case if one fits, else a possessive, else a plural; or with only its
    /// voicing undone; nil when nothing changes. One suffix at a time, so that a form, once its own suffixes are
    /// gone, goes on exactly as its bare noun does (таштандыны → таштанды → таштан → таш, as таштанды does).
    private static func outermostStrip(_ word: Letters) -> Letters? {
        for table in [cases, possessives, plurals] {
            let stripped = options(word[...], table)
            if stripped.count > 1 { return Array(repaired(stripped[0])) }
        }
        let whole = repaired(word[...])
        return whole.last == word.last ? nil : Array(whole)
    }

    /// The first way to strip a case, then a possessive, then a plural (most stripped first, the word itself last)
    /// that ends on a known noun.
    static func knownParse(_ word: Letters, _ isKnown: (ArraySlice<Unicode.Scalar>) -> Bool) -> Letters? {
        for afterCase in options(word[...], cases) {
            for afterPossessive in options(afterCase, possessives) {
                let bare = irregularLetters[afterPossessive].map { $0[...] } ?? afterPossessive
                for afterPlural in options(bare, plurals) {
                    let candidate = repaired(afterPlural)
                    if isKnown(candidate) { return Array(candidate) }
                }
            }
        }
        return nil
    }

    /// The acceptable strips of one stage, longest suffix first, and the word unstripped last.
    private static func options(_ word: ArraySlice<Unicode.Scalar>, _ table: SuffixTable) -> [ArraySlice<Unicode.Scalar>] {
        var results: [ArraySlice<Unicode.Scalar>] = []
        guard let last = word.last, let suffixes = table.byLastLetter[last] else { return [word] }
        for suffix in suffixes where word.count > suffix.letters.count && word.suffix(suffix.letters.count).elementsEqual(suffix.letters) {
            let stem = word.dropLast(suffix.letters.count)
            if isAcceptable(stem, suffix) { results.append(stem) }
        }
        results.append(word)
        return results
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
    private static func isAcceptable(_ stem: ArraySlice<Unicode.Scalar>, _ suffix: Suffix) -> Bool {
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
            guard ["ы", "и", "у", "ү"].contains(last), let before = stem.dropLast().last else { return false }
            return !vowels.contains(before)
        }
    }

    /// Undoes the voicing of a stem's final consonant before a vowel suffix (китеби → китеп, тарагы → тарак).
    private static func repaired(_ stem: ArraySlice<Unicode.Scalar>) -> ArraySlice<Unicode.Scalar> {
        guard stem.count > 2, let last = stem.last, last == "б" || last == "г" else { return stem }
        return stem.dropLast() + [last == "б" ? "п" : "к"]
    }

    /// The letters to strip: ё read as е, a final soft sign dropped as before a suffix (бюллетень → бюллетени),
    /// and ю after a vowel read as й + у (кой + у → кою), so that the у can be stripped as a suffix.
    private static func prepared(_ word: String) -> Letters {
        var result: Letters = []
        result.reserveCapacity(word.unicodeScalars.count + 2)
        for letter in word.unicodeScalars {
            if letter == "ю", let previous = result.last, vowels.contains(previous) { result += ["й", "у"] }
            else { result.append(letter == "ё" ? "е" : letter) }
        }
        if result.last == "ь" { result.removeLast() }
        return result
    }

    /// Letters as written: й + у after a vowel back to ю.
    private static func spelled(_ letters: ArraySlice<Unicode.Scalar>) -> String {
        var view = String.UnicodeScalarView()
        for letter in letters {
            if letter == "у", view.last == "й", let beforeY = view.dropLast().last, vowels.contains(beforeY) {
                view.removeLast()
                view.append("ю")
            } else {
                view.append(letter)
            }
        }
        return String(view)
    }
}
