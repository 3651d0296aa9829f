import DemilgeCore
import Foundation
import Testing

@Suite("Plurals and Kyrgyz numeral endings")
struct PluralAndNumeralTests {
    @Test("CLDR plural categories: Russian one, few, many; English and Kyrgyz one and other; fractions are other")
    func categories() {
        let russian: [(Int64, PluralCategory)] = [(0, .many), (1, .one), (2, .few), (4, .few), (5, .many), (11, .many), (12, .many), (14, .many),
                                                  (20, .many), (21, .one), (22, .few), (25, .many), (101, .one), (111, .many), (112, .many),
                                                  (122, .few), (1_000, .many), (1_001, .one)]
        for (n, category) in russian { #expect(PluralCategory.of(n, .ru) == category, "\(n)") }
        for n: Int64 in [0, 2, 5, 11, 21, 101] {
            #expect(PluralCategory.of(n, .en) == .other && PluralCategory.of(n, .ky) == .other, "\(n)")
        }
        #expect(PluralCategory.of(1, .en) == .one && PluralCategory.of(1, .ky) == .one)
        #expect(PluralCategory.of(shown: "1\u{00A0}021", .ru) == .one)
        #expect(PluralCategory.of(shown: "12,5", .ru) == .other && PluralCategory.of(shown: "1.5", .en) == .other)
        #expect(PluralCategory.of(shown: "1,234", .en) == .other && PluralCategory.of(shown: "1,000,001", .en) == .other)
        #expect(PluralCategory.of(shown: "1", .en) == .one && PluralCategory.of(shown: "Ош", .ru) == nil)
    }

    static let projects = "{count, plural, one {# проект} few {# проекта} many {# проектов} other {# проекта}}"

    @Test("a plural block picks the branch of the number in the value's language, # standing for it")
    func pluralBlocks() {
        let catalog = Catalog(tables: [
            .ky: ["a": "{count} долбоор"],
            .ru: ["a": "Выберите не больше \(Self.projects).", "b": "{n, plural, one {# житель заплатил {share}} other {# жителей заплатили {share}}}"],
            .en: ["a": "Choose at most {count, plural, one {# project} other {# projects}}."],
        ])
        let russian = ["1": "1 проект", "2": "2 проекта", "5": "5 проектов", "11": "11 проектов", "21": "21 проект", "24": "24 проекта",
                       "1\u{00A0}000": "1\u{00A0}000 проектов", "2,5": "2,5 проекта"]
        for (count, words) in russian { #expect(catalog.text("a", .ru, arguments: ["count": count]) == "Выберите не больше \(words).") }
        #expect(catalog.text("a", .en, arguments: ["count": "1"]) == "Choose at most 1 project.")
        #expect(catalog.text("a", .en, arguments: ["count": "3"]) == "Choose at most 3 projects.")
        #expect(catalog.text("a", .ky, arguments: ["count": "3"]) == "3 долбоор")
        #expect(catalog.text("b", .ru, arguments: ["n": "31", "share": "5 сом"]) == "31 житель заплатил 5 сом", "placeholders inside a branch")
        #expect(catalog.text("b", .ru, arguments: ["n": "много", "share": "5 сом"]) == "много жителей заплатили 5 сом", "no number: other")
        let broken = Catalog(tables: [.ky: ["a": "{count, plural, one {# x}"], .ru: [:], .en: [:]])
        #expect(broken.text("a", .ky, arguments: ["count": "1"]) == "{count, plural, one {# x}", "a malformed block stays visible")
    }

    // MARK: - Kyrgyz endings

    /// Each last word's endings, written out by hand (genitive, dative, accusative, locative, ablative).
    static let endings: [String: [String]] = [
        "нөл": ["дүн", "гө", "дү", "дө", "дөн"], "бир": ["дин", "ге", "ди", "де", "ден"], "эки": ["нин", "ге", "ни", "де", "ден"],
        "үч": ["түн", "кө", "тү", "тө", "төн"], "төрт": ["түн", "кө", "тү", "тө", "төн"], "беш": ["тин", "ке", "ти", "те", "тен"],
        "алты": ["нын", "га", "ны", "да", "дан"], "жети": ["нин", "ге", "ни", "де", "ден"], "сегиз": ["дин", "ге", "ди", "де", "ден"],
        "тогуз": ["дун", "га", "ду", "да", "дан"], "он": ["дун", "го", "ду", "до", "дон"], "жыйырма": ["нын", "га", "ны", "да", "дан"],
        "отуз": ["дун", "га", "ду", "да", "дан"], "кырк": ["тын", "ка", "ты", "та", "тан"], "элүү": ["нүн", "гө", "нү", "дө", "дөн"],
        "алтымыш": ["тын", "ка", "ты", "та", "тан"], "жетимиш": ["тин", "ке", "ти", "те", "тен"], "сексен": ["дин", "ге", "ди", "де", "ден"],
        "токсон": ["дун", "го", "ду", "до", "дон"], "жүз": ["дүн", "гө", "дү", "дө", "дөн"], "миң": ["дин", "ге", "ди", "де", "ден"],
        "миллион": ["дун", "го", "ду", "до", "дон"],
    ]
    static let cases: [KyrgyzCase] = [.genitive, .dative, .accusative, .locative, .ablative]

    /// How a number is read aloud, word by word (миң, not бир миң, for a single thousand).
    static func spoken(_ n: Int) -> [String] {
        let ones = ["", "бир", "эки", "үч", "төрт", "беш", "алты", "жети", "сегиз", "тогуз"]
        let tens = ["", "он", "жыйырма", "отуз", "кырк", "элүү", "алтымыш", "жетимиш", "сексен", "токсон"]
        func belowThousand(_ h: Int) -> [String] {
            var words: [String] = []
            if h >= 100 { words += (h / 100 == 1 ? [] : [ones[h / 100]]) + ["жүз"] }
            if h % 100 >= 10 { words.append(tens[h % 100 / 10]) }
            if h % 10 > 0 { words.append(ones[h % 10]) }
            return words
        }
        if n == 0 { return ["нөл"] }
        var words: [String] = []
        if n >= 1_000_000 { words += belowThousand(n / 1_000_000) + ["миллион"] }
        if n / 1_000 % 1_000 > 0 { words += (n / 1_000 % 1_000 == 1 ? [] : belowThousand(n / 1_000 % 1_000)) + ["миң"] }
        return words + belowThousand(n % 1_000)
    }

    @Test("every number from 0 to 1,000,000 takes the ending of its last spoken word, in every case")
    func everyNumber() throws {
        var wrong: [String] = []
        for n in 0...1_000_000 {
            let last = try #require(Self.spoken(n).last)
            let expected = try #require(Self.endings[last], "\(last)")
            if KyrgyzNumeral.lastSpokenWord(Int64(n)) != last { wrong.append("\(n) is read ending in \(last)") }
            for (index, grammaticalCase) in Self.cases.enumerated() where KyrgyzNumeral.ending(Int64(n), grammaticalCase) != expected[index] {
                wrong.append("\(n) \(grammaticalCase): \(KyrgyzNumeral.ending(Int64(n), grammaticalCase)), not \(expected[index])")
            }
            if wrong.count > 20 { break }
        }
        #expect(wrong.isEmpty, "\(wrong)")
    }

    @Test("the issue's examples, shown numbers with groups and fractions, and the catalog's {name:case}")
    func examples() {
        #expect(KyrgyzNumeral.ending(3, .ablative) == "төн" && KyrgyzNumeral.ending(5, .ablative) == "тен")
        #expect(KyrgyzNumeral.ending(10, .ablative) == "дон" && KyrgyzNumeral.ending(0, .ablative) == "дөн")
        #expect(KyrgyzNumeral.ending(30, .dative) == "га" && KyrgyzNumeral.ending(2_000_000, .dative) == "го")
        #expect(KyrgyzNumeral.ending(shown: "1\u{00A0}500", .dative) == "гө", "миң беш жүз")
        #expect(KyrgyzNumeral.ending(shown: "12,5", .ablative) == "тен", "он эки бүтүн ондон беш")
        #expect(KyrgyzNumeral.ending(shown: "12,50", .ablative) == "дөн", "он эки бүтүн жүздөн элүү")
        let catalog = Catalog(tables: [.ky: ["length": "Узундугу {min:ablative} {max} белгиге чейин.", "score": "0дөн {max:dative} чейин"], .ru: [:], .en: [:]])
        #expect(catalog.text("length", .ky, arguments: ["min": "3", "max": "200"]) == "Узундугу 3төн 200 белгиге чейин.")
        #expect(catalog.text("score", .ky, arguments: ["max": "10"]) == "0дөн 10го чейин")
        #expect(catalog.text("score", .ky, arguments: ["max": "100"]) == "0дөн 100гө чейин")
    }

    @Test("currency words agree with the amount")
    func currencies() {
        #expect(Money.whole(1, .chf).formatted(.ru) == "1 швейц. франк" && Money.whole(21, .chf).formatted(.ru) == "21 швейц. франк")
        #expect(Money.whole(3, .chf).formatted(.ru) == "3 швейц. франка" && Money.whole(5, .chf).formatted(.ru) == "5 швейц. франков")
        #expect(Money(minorUnits: 150, currency: .chf).formatted(.ru) == "1,50 швейц. франка")
        #expect(Money.whole(1, .chf).formatted(.en) == "1 Swiss franc" && Money.whole(2, .usd).formatted(.en) == "2 US dollars")
        #expect(Money.som(1).formatted(.ky) == "1 сом" && Money.som(5).formatted(.ru) == "5 сом")
    }

    @Test("an amount is shown for editing as pages show it, and read back the same in every language")
    func editableAmounts() throws {
        for tyiyn: Int64 in [1, 99, 100, 150_000_00, 400_000_50, 1_234_567_89, Money.maximumMinorUnits] {
            for language in Language.allCases {
                let shown = Money(minorUnits: tyiyn).editable(language)
                #expect(try Money.parse(shown, as: language).minorUnits == tyiyn, "\(language): \(shown)")
            }
        }
        #expect(Money(minorUnits: 400_000_50).editable(.ru) == "400\u{00A0}000,50" && Money(minorUnits: 400_000_50).editable(.en) == "400,000.50")
        #expect(try Money.parse("150,000", as: .en).minorUnits == 150_000_00)
        #expect(try Money.parse("1,250.50", as: .en).minorUnits == 1_250_50)
        #expect(try Money.parse("150 000", as: .en).minorUnits == 150_000_00, "spaces group in English too")
        #expect(try Money.parse("1250,50", as: .ru).minorUnits == 1_250_50)
        #expect(try Money.parse("1250.5", as: .ky).minorUnits == 1_250_50)
        for misread in ["1250,50", "1,25", "12,34,567", ",100", "1,000,00"] {
            #expect(throws: Money.ParseError.notANumber, "\(misread) is not read as some other amount") { try Money.parse(misread, as: .en) }
        }
    }
}
