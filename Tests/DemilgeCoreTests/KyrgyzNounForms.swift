/// A test set for the Kyrgyz stemmer: every form of about 150 domain nouns, made by a small declension generator
/// written from the grammar in GLOSSARY.md ("Kyrgyz language conventions"), not from the stemmer's tables.
/// Irregular stems are written by hand on the noun: final voicing (мектеп → мектеби), a dropped vowel
/// (мурун → мурду, орун → ордуна), й + у spelled ю (кой → коюна), and irregular plurals (бала → балдар).
struct KyrgyzNoun: Sendable {
    let lemma: String
    /// The stem before a vowel-initial possessive: the lemma, voiced (мектеб-) or without its last vowel (мурд-).
    let possessiveStem: String
    let plural: String

    /// Final к/п after a vowel voices before a vowel (аймак → аймагы, топ → тобу); after a consonant it stays (парк → паркы).
    init(_ lemma: String, possessiveStem: String? = nil, plural: String? = nil) {
        self.lemma = lemma
        self.possessiveStem = possessiveStem ?? KyrgyzDeclension.voiced(lemma)
        self.plural = plural ?? KyrgyzDeclension.pluralOf(lemma)
    }
}

enum KyrgyzDeclension {
    static let vowels: Set<Character> = ["а", "е", "ё", "и", "о", "ө", "у", "ү", "ы", "э", "ю", "я"]
    static let voiceless: Set<Character> = ["к", "п", "с", "т", "ф", "х", "ц", "ч", "ш", "щ"]

    enum Sound { case vowel, voiced, voiceless }

    enum Person: CaseIterable { case firstSingular, secondSingular, secondPolite, third, firstPlural, secondPlural, secondPolitePlural }

    enum Case: CaseIterable { case genitive, accusative, dative, locative, ablative, attributive }

    /// What a case ending depends on besides the last sound: the third-person possessive takes н-forms
    /// (айылына, айылын), and the first and second person singular take a bare vowel dative (айылыма).
    enum Base { case plain, third, firstOrSecondSingular }

    static func sound(_ word: String) -> Sound {
        guard let last = word.last else { return .vowel }
        if vowels.contains(last) { return .vowel }
        return voiceless.contains(last) ? .voiceless : .voiced
    }

    /// The low vowel A: а after а/ы/у/я/ю, о after о/ё, е after е/и/э, ө after ө/ү.
    static func low(_ word: String) -> String {
        switch word.last(where: vowels.contains) {
        case "о", "ё": "о"
        case "е", "и", "э": "е"
        case "ө", "ү": "ө"
        default: "а"
        }
    }

    /// The high vowel I: ы after а/ы/я, у after о/у/ё/ю, и after е/и/э, ү after ө/ү.
    static func high(_ word: String) -> String {
        switch word.last(where: vowels.contains) {
        case "о", "у", "ё", "ю": "у"
        case "е", "и", "э": "и"
        case "ө", "ү": "ү"
        default: "ы"
        }
    }

    static func voiced(_ word: String) -> String {
        let letters = Array(word)
        guard letters.count >= 2, vowels.contains(letters[letters.count - 2]) else { return word }
        switch letters[letters.count - 1] {
        case "к": return String(letters.dropLast()) + "г"
        case "п": return String(letters.dropLast()) + "б"
        default: return word
        }
    }

    /// Appends a suffix, spelling й + у as ю after a vowel (кой + у → кою).
    static func join(_ stem: String, _ suffix: String) -> String {
        let letters = Array(stem)
        if suffix.first == "у", letters.count >= 2, letters[letters.count - 1] == "й", vowels.contains(letters[letters.count - 2]) {
            return String(letters.dropLast()) + "ю" + suffix.dropFirst()
        }
        return stem + suffix
    }

    /// л after vowels, й and р; д after other voiced consonants; т after voiceless ones.
    static func pluralOf(_ word: String) -> String {
        let onset: String
        if sound(word) == .vowel || word.last == "й" || word.last == "р" { onset = "л" }
        else { onset = sound(word) == .voiced ? "д" : "т" }
        return word + onset + low(word) + "р"
    }

    /// н after a vowel, д after a voiced consonant, т after a voiceless one (genitive and accusative).
    static func nasalOnset(_ word: String) -> String {
        switch sound(word) {
        case .vowel: "н"
        case .voiced: "д"
        case .voiceless: "т"
        }
    }

    static func dentalOnset(_ word: String) -> String { sound(word) == .voiceless ? "т" : "д" }

    /// `word` with a possessive; `stem` is the form a vowel-initial possessive is added to.
    static func possessed(_ word: String, stem: String, _ person: Person) -> (text: String, base: Base) {
        let afterVowel = sound(word) == .vowel
        let host = afterVowel ? word : stem
        let linking = afterVowel ? "" : high(stem)
        let i = high(stem)
        switch person {
        case .firstSingular: return (join(host, linking + "м"), .firstOrSecondSingular)
        case .secondSingular: return (join(host, linking + "ң"), .firstOrSecondSingular)
        case .secondPolite: return (join(host, linking + "ң" + i + "з"), .plain)
        case .third: return (join(host, afterVowel ? "с" + high(word) : i), .third)
        case .firstPlural: return (join(host, linking + "б" + i + "з"), .plain)
        case .secondPlural:
            let before = host + linking
            return (join(host, linking + "ң" + low(before) + "р"), .plain)
        case .secondPolitePlural:
            let polite = possessed(word, stem: stem, .secondPolite).text
            return (polite + "д" + low(polite) + "р", .plain)
        }
    }

    static func inflected(_ word: String, _ base: Base, _ grammaticalCase: Case) -> String {
        let a = low(word), i = high(word)
        switch grammaticalCase {
        case .genitive: return word + (base == .third ? "н" : nasalOnset(word)) + i + "н"
        case .accusative: return base == .third ? word + "н" : word + nasalOnset(word) + i
        case .dative:
            switch base {
            case .third: return word + "н" + a
            case .firstOrSecondSingular: return word + a
            case .plain: return word + (sound(word) == .voiceless ? "к" : "г") + a
            }
        case .locative: return word + (base == .third ? "нд" : dentalOnset(word)) + a
        case .ablative: return word + (base == .third ? "н" : dentalOnset(word)) + a + "н"
        case .attributive:
            let locative = inflected(word, base, .locative)
            return locative + "г" + high(locative)
        }
    }

    /// The bare noun, its plural, each with every possessive, each of those in every case (and -дагы),
    /// and the -дагы noun with a plural and a case again (айылдагылар, айылдагыларга).
    static func forms(of noun: KyrgyzNoun) -> [String] {
        var bases: [(text: String, base: Base)] = [(noun.lemma, .plain), (noun.plural, .plain)]
        for person in Person.allCases {
            bases.append(possessed(noun.lemma, stem: noun.possessiveStem, person))
            bases.append(possessed(noun.plural, stem: noun.plural, person))
        }
        var forms: [String] = []
        for (text, base) in bases {
            forms.append(text)
            for grammaticalCase in Case.allCases { forms.append(inflected(text, base, grammaticalCase)) }
        }
        let attributivePlural = pluralOf(inflected(noun.lemma, .plain, .attributive))
        forms += [attributivePlural, inflected(attributivePlural, .plain, .dative), inflected(attributivePlural, .plain, .genitive)]
        var seen: Set<String> = []
        return forms.filter { seen.insert($0).inserted }
    }
}

enum KyrgyzNounForms {
    /// Nouns of municipal life, grouped by what makes them hard to stem.
    static let nouns: [KyrgyzNoun] = [
        // Ending in a consonant that does not change.
        "айыл", "жол", "шаар", "район", "облус", "жамаат", "кеңеш", "өкмөт", "бюджет", "грант", "долбоор", "депутат",
        "тургун", "жаран", "жыйын", "сынак", "добуш", "план", "газ", "сом", "каражат", "аянт", "канал", "гүл", "мал",
        "жер", "жайыт", "парк", "зал", "спорт", "көл", "багыт", "максат", "маалымат", "кабар", "арыз", "сунуш", "милдет",
        "имарат", "дубал", "чатыр", "базар", "завод", "мечит", "стадион", "дүкөн", "нан", "сүт", "калк", "мүлк",
        "мөөнөт", "жыл", "күн", "үн", "иш", "жумуш", "тууган", "дыйкан", "аксакал", "пикир", "комитет", "конкурс",
        "кен", "сугат", "ооз", "эл", "ат", "аял", "жигит", "кыз", "мамлекет", "маданият", "кызмат", "кызматкер", "дарыгер",
        // Verbal nouns in -ыш/-иш/-уш/-үш.
        "курулуш", "жыйналыш", "кириш", "чыгыш", "ачылыш", "жүрүш",
        // Final к/п that voices before a vowel, including -лык/-лик/-лук/-лүк nouns.
        "мектеп", "китеп", "аймак", "бак", "жарык", "чырак", "челек", "эмгек", "арык", "түтүк", "дарак", "салык",
        "эсеп", "жабдык", "жаңылык", "талап", "көмөк", "тармак", "буйрук", "укук", "эшик", "кудук", "тамак", "тилек",
        "жыйынтык", "топ", "жооп", "бийлик", "тынчтык", "саламаттык", "коопсуздук", "жоопкерчилик", "жылуулук",
        "ишкердик", "айылдык", "мүмкүнчүлүк",
        // Ending in -м, which looks like a first-person possessive.
        "илим", "билим", "бөлүм", "чечим", "келишим", "салым", "уюм", "мыйзам", "токтом", "төлөм", "чыгым", "адам",
        "жардам", "аким", "мугалим", "коом", "кийим",
        // Ending in a vowel, some in ы/и/у/ү after a consonant, which looks like a third-person possessive.
        "көчө", "суу", "тоо", "көпүрө", "бакча", "оорукана", "аянтча", "таштанды", "демилге", "маселе", "программа",
        "комиссия", "сессия", "мэрия", "аялдама", "дарыя", "ата", "эне", "мүчө", "чара", "чарба", "ферма", "бөлмө",
        "терезе", "киреше", "натыйжа", "тажрыйба", "китепкана", "ашкана", "дарыкана", "ишкана", "балабакча", "өтүнмө",
        "акча", "каржы", "коңшу", "карыя", "насыя", "инвестиция",
        // Agent nouns in -чы/-чи/-чу/-чү.
        "кызматчы", "жашоочу", "окуучу", "малчы", "эмгекчи", "жумушчу", "катчы", "башчы", "жетекчи", "айдоочу",
        "сатуучу", "шайлоочу", "кеңешчи", "жазуучу", "текшерүүчү",
        // Verbal nouns in -уу/-үү/-оо/-өө.
        "окутуу", "оңдоо", "баалоо", "тазалоо", "өнүгүү", "шайлоо", "текшерүү", "жашоо", "коргоо", "башкаруу", "колдоо",
        "түзүү", "суроо", "тейлөө", "каржылоо", "жылытуу",
        // Ending in й: й + у is spelled ю (кой → кою, коюна).
        "кой", "той", "үй", "ай", "сай", "жай", "упай", "көйгөй",
    ].map { KyrgyzNoun($0) } + [
        // A vowel drops before a possessive.
        KyrgyzNoun("мурун", possessiveStem: "мурд"), KyrgyzNoun("орун", possessiveStem: "орд"), KyrgyzNoun("ийин", possessiveStem: "ийн"),
        // Irregular plural.
        KyrgyzNoun("бала", plural: "балдар"),
    ]

    static let paradigms: [(lemma: String, forms: [String])] = nouns.map { ($0.lemma, KyrgyzDeclension.forms(of: $0)) }

    /// Different nouns that look alike, and must keep different keys, as must their forms. Not listed: сал/салым,
    /// ил/илим: the lexicon's preference for салым and илим also takes the rare салыма, илиме (сал, ил + ым + а).
    static let nearHomographs: [(String, String)] = [
        ("ат", "ата"), ("бал", "бала"), ("эл", "элек"), ("кол", "кола"), ("сан", "сана"), ("тал", "тала"), ("кар", "кара"),
        ("бак", "бака"), ("ай", "айыл"), ("мал", "малчы"), ("кызмат", "кызматчы"), ("бак", "бакча"), ("иш", "ишкана"),
        ("жаш", "жашоо"), ("таш", "таштанды"), ("аял", "аялдама"), ("ак", "аким"), ("жар", "жардам"), ("кыз", "кызмат"),
        ("кат", "катчы"), ("баш", "башчы"), ("суу", "суурма"), ("тоо", "тоок"), ("үй", "үйрөк"), ("жол", "жолборс"),
        ("көл", "көлөкө"), ("айыл", "айылдык"), ("бий", "бийлик"), ("жер", "жерлик"), ("окуу", "окуучу"), ("кой", "койчу"),
    ]
}
