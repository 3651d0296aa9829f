import DemilgeCore
import Foundation
import Testing

@Suite("Formatting in the reader's language")
struct FormattingTests {
    static let march15 = DateComponents(calendar: Calendar(identifier: .gregorian), timeZone: Formatters.bishkek, year: 2025, month: 3, day: 15, hour: 10).date!

    @Test("dates: 2025-жылдын 15-марты / 15 марта 2025 г. / 15 March 2025")
    func dates() {
        #expect(Formatters.date(Self.march15, .ky) == "2025-жылдын 15-марты")
        #expect(Formatters.date(Self.march15, .ru) == "15 марта 2025 г.")
        #expect(Formatters.date(Self.march15, .en) == "15 March 2025")
        #expect(Formatters.shortDate(Self.march15) == "15.03.2025")
        #expect(Formatters.month(Self.march15, .ky) == "март 2025-ж.")
        #expect(Formatters.month(Self.march15, .en) == "March 2025")
    }

    @Test("Kyrgyz long dates: the year in the genitive, every month in the possessive, and a case ending on it in a sentence")
    func kyrgyzDates() throws {
        let possessive = ["январы", "февралы", "марты", "апрели", "майы", "июну", "июлу", "августу", "сентябры", "октябры", "ноябры", "декабры"]
        let locative = ["январында", "февралында", "мартында", "апрелинде", "майында", "июнунда", "июлунда", "августунда", "сентябрында",
                        "октябрында", "ноябрында", "декабрында"]
        for month in 1...12 {
            let date = try #require(DateComponents(calendar: Calendar(identifier: .gregorian), timeZone: Formatters.bishkek, year: 2024, month: month, day: 1, hour: 0).date)
            #expect(Formatters.date(date, .ky) == "2024-жылдын 1-\(possessive[month - 1])", "at midnight in Bishkek it is already that day")
            #expect(KyrgyzNumeral.inflect(Formatters.date(date, .ky), .locative) == "2024-жылдын 1-\(locative[month - 1])")
        }
        let date = Formatters.date(Self.march15, .ky)
        #expect(KyrgyzNumeral.inflect(date, .ablative) == "2025-жылдын 15-мартынан" && KyrgyzNumeral.inflect(date, .dative) == "2025-жылдын 15-мартына")
        #expect(KyrgyzNumeral.inflect("2025-жылдын 1-апрели", .genitive) == "2025-жылдын 1-апрелинин")
        #expect(KyrgyzNumeral.inflect("Ош", .locative) == "Ош", "text that is no number or date is left alone")
        let catalog = Catalog(tables: [.ky: ["a": "Мөөнөтү {deadline:locative} бүттү."], .ru: [:], .en: [:]])
        #expect(catalog.text("a", .ky, arguments: ["deadline": date]) == "Мөөнөтү 2025-жылдын 15-мартында бүттү.")
    }

    @Test("numbers group with a no-break space in ky and ru")
    func numbers() {
        #expect(Formatters.integer(1_234_567, .ky) == "1\u{00A0}234\u{00A0}567")
        #expect(Formatters.integer(1_234_567, .ru) == "1\u{00A0}234\u{00A0}567")
        #expect(Formatters.integer(1_234_567, .en) == "1,234,567")
        #expect(Formatters.integer(0, .ky) == "0")
    }

    @Test("money: 1 234 567 сом, fractions of tyiyn only when present")
    func money() {
        #expect(Money.som(1_234_567).formatted(.ky) == "1\u{00A0}234\u{00A0}567 сом")
        #expect(Money(minorUnits: 123_456_750).formatted(.ky) == "1\u{00A0}234\u{00A0}567,50 сом")
        #expect(Money(minorUnits: 123_456_750).formatted(.en) == "1,234,567.50 som")
        #expect(Money.whole(14_000_000, .usd).formatted(.ky) == "14\u{00A0}000\u{00A0}000 АКШ доллары")
        #expect(Money(minorUnits: 1).formatted(.ru) == "0,01 сом")
    }

    @Test("parsing typed amounts is exact")
    func parseMoney() throws {
        #expect(try Money.parse("1 234 567") == Money.som(1_234_567))
        #expect(try Money.parse("1\u{00A0}234\u{00A0}567,5") == Money(minorUnits: 123_456_750))
        #expect(try Money.parse("0.01") == Money(minorUnits: 1))
        #expect(try Money.parse("19.99").minorUnits == 1999, "no floating-point rounding")
        #expect(throws: Money.ParseError.notANumber) { try Money.parse("12a") }
        #expect(throws: Money.ParseError.tooManyFractionDigits) { try Money.parse("1,005") }
        #expect(throws: Money.ParseError.negative) { try Money.parse("-5") }
        #expect(throws: Money.ParseError.empty) { try Money.parse("  ") }
        #expect(throws: Money.ParseError.tooLarge) { try Money.parse("99999999999999999999") }
        #expect(throws: Money.ParseError.notANumber) { try Money.parse("١٢٣") }
    }

    @Test("year-months parse strictly, count inclusively and format per language")
    func yearMonths() throws {
        let start = try #require(YearMonth("2019-10"))
        let end = try #require(YearMonth("2024-09"))
        #expect(start.monthsInclusive(to: end) == 60)
        #expect(start.monthsInclusive(to: start) == 1)
        #expect(start < end && start.description == "2019-10")
        #expect(start.formatted(.ky) == "октябрь 2019-ж.")
        #expect(start.formatted(.ru) == "октябрь 2019 г.")
        #expect(end.formatted(.en) == "September 2024")
        for bad in ["2019-13", "2019-1", "19-10", "2019/10", "", "abcd-ef"] { #expect(YearMonth(bad) == nil, "\(bad)") }
    }
}

@Suite("Languages and localized text")
struct LanguageTests {
    @Test("Accept-Language picks the best supported language by quality")
    func acceptLanguage() {
        #expect(Language.preferred(acceptLanguage: "ru-RU,ru;q=0.9,en;q=0.8") == .ru)
        #expect(Language.preferred(acceptLanguage: "de, en;q=0.5, ky;q=0.7") == .ky)
        #expect(Language.preferred(acceptLanguage: "de, fr") == nil)
        #expect(Language.preferred(acceptLanguage: nil) == nil)
    }

    @Test("missing translations fall back to Kyrgyz and say so")
    func fallback() {
        let text = LocalizedText(ky: "Биримдик үчүн")
        #expect(text.resolved(.en).text == "Биримдик үчүн")
        #expect(text.resolved(.en).language == .ky)
        #expect(LocalizedText(ky: "Ош", ru: "Ош", en: "Osh").resolved(.en).language == .en)
    }

    @Test("catalog placeholders are filled")
    func placeholders() {
        let catalog = Catalog(tables: [.ky: ["a": "{n} ай"], .ru: ["a": "{n} мес."], .en: [:]])
        #expect(catalog.text("a", .ru, arguments: ["n": "60"]) == "60 мес.")
        #expect(catalog.text("a", .en, arguments: ["n": "60"]) == "60 ай", "falls back to Kyrgyz")
        #expect(catalog.missingKeys == [.en: ["a"]])
    }
}

@Suite("Kyrgyz text")
struct KyrgyzTextTests {
    @Test("sorting follows the Kyrgyz alphabet: ң after н, ө after о, ү after у")
    func collation() {
        let words = ["Үй", "Уй", "Өзгөн", "Ош", "Ноокат", "Ңа", "Ысык-Көл", "Чүй", "Яблоко", "Баткен"]
        let sorted = KyrgyzText.sorted(words, by: { $0 }, .ky)
        #expect(sorted == ["Баткен", "Ноокат", "Ңа", "Ош", "Өзгөн", "Уй", "Үй", "Чүй", "Ысык-Көл", "Яблоко"])
        #expect(words.sorted() != sorted, "plain < gets Kyrgyz letters wrong")
    }

    @Test("Latin slugs for codes and addresses")
    func slugs() {
        #expect(KyrgyzText.slug("Чоң-Алай") == "chong-alay")
        #expect(KyrgyzText.slug("Алай 1") == "alay-1")
        #expect(KyrgyzText.slug("Өзгөн шаары") == "ozgon-shaary")
        #expect(KyrgyzText.slug("«Жаш Ниет» КБ") == "jash-niet-kb")
        #expect(KyrgyzText.slug("Green Village") == "green-village")
    }
}
