import Foundation

/// Dates, numbers and money in the reader's language, always with an explicit locale.
public enum Formatters {
    public static let bishkek = TimeZone(identifier: "Asia/Bishkek") ?? TimeZone(secondsFromGMT: 6 * 3600) ?? TimeZone.current

    /// Formatters are costly to make (each loads its locale's data) and not safe to share between threads while
    /// formatting, so each thread keeps its own, one per language and pattern: a page with fifty dates makes none.
    private static func cached<F: AnyObject>(_ key: String, _ make: () -> F) -> F {
        let store = Thread.current.threadDictionary
        if let formatter = store[key] as? F { return formatter }
        let formatter = make()
        store[key] = formatter
        return formatter
    }

    private static func dateFormatter(_ language: Language, _ pattern: String) -> DateFormatter {
        cached("demilge.date.\(language.rawValue).\(pattern)") {
            let formatter = DateFormatter()
            formatter.locale = language.locale
            formatter.timeZone = bishkek
            formatter.calendar = Calendar(identifier: .gregorian)
            formatter.dateFormat = pattern
            return formatter
        }
    }

    /// Kyrgyz month names in the possessive, as official texts write them after a day: 15-марты.
    public static let kyrgyzMonthsPossessive = ["январы", "февралы", "марты", "апрели", "майы", "июну", "июлу", "августу", "сентябры",
                                                "октябры", "ноябры", "декабры"]

    /// `2025-жылдын 15-марты` (the year in the genitive, the month in the possessive, as official Kyrgyz texts write
    /// it; `KyrgyzNumeral.inflect` adds a case ending: 15-мартында), `15 марта 2025 г.`, `15 March 2025`.
    public static func date(_ date: Date, _ language: Language) -> String {
        switch language {
        case .ky:
            let parts = Calendar(identifier: .gregorian).dateComponents(in: bishkek, from: date)
            guard let year = parts.year, let month = parts.month, let day = parts.day, kyrgyzMonthsPossessive.indices.contains(month - 1) else {
                return dateFormatter(.ky, "d-MMMM y-'ж'.").string(from: date)
            }
            return "\(year)-жылдын \(day)-\(kyrgyzMonthsPossessive[month - 1])"
        case .ru: return dateFormatter(.ru, "d MMMM y 'г'.").string(from: date)
        case .en: return dateFormatter(.en, "d MMMM y").string(from: date)
        }
    }

    /// A date with time of day, for audit entries and activity.
    public static func dateTime(_ date: Date, _ language: Language) -> String {
        "\(Formatters.date(date, language)), \(dateFormatter(language, "HH:mm").string(from: date))"
    }

    /// `октябрь 2019-ж.`, `октябрь 2019 г.`, `October 2019`.
    public static func month(_ date: Date, _ language: Language) -> String {
        switch language {
        case .ky: dateFormatter(.ky, "MMMM y-'ж'.").string(from: date)
        case .ru: dateFormatter(.ru, "LLLL y 'г'.").string(from: date)
        case .en: dateFormatter(.en, "LLLL y").string(from: date)
        }
    }

    /// `dd.MM.yyyy`, the short form Kyrgyz official sites use.
    public static func shortDate(_ date: Date) -> String {
        dateFormatter(.ru, "dd.MM.yyyy").string(from: date)
    }

    /// `2025-03-15`, for open data.
    public static func isoDate(_ date: Date) -> String {
        dateFormatter(.en, "yyyy-MM-dd").string(from: date)
    }

    /// `2025-03-15T04:05:06Z`, for feeds and open-data timestamps.
    public static func isoDateTime(_ date: Date) -> String {
        cached("demilge.iso8601") {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime]
            return formatter
        }.string(from: date)
    }

    /// A percentage as each language writes it (CLDR): `12,5 %` with a no-break space in ky and ru, `12.5%` in en.
    public static func percent(_ number: String, _ language: Language) -> String {
        language == .en ? number + "%" : number + "\u{00A0}%"
    }

    public static func percent(_ value: Decimal, fractionDigits: Int, _ language: Language) -> String {
        percent(decimal(value, fractionDigits: fractionDigits, language), language)
    }

    /// `1 234 567` (no-break spaces in ky and ru), `1,234,567` in en.
    public static func integer(_ value: Int64, _ language: Language) -> String {
        decimal(Decimal(value), fractionDigits: 0, language)
    }

    public static func decimal(_ value: Decimal, fractionDigits: Int, _ language: Language) -> String {
        let formatter = cached("demilge.number.\(language.rawValue).\(fractionDigits)") {
            let formatter = NumberFormatter()
            formatter.locale = language.locale
            formatter.numberStyle = .decimal
            formatter.usesGroupingSeparator = true
            formatter.minimumFractionDigits = fractionDigits
            formatter.maximumFractionDigits = fractionDigits
            return formatter
        }
        return formatter.string(from: value as NSDecimalNumber) ?? "\(value)"
    }
}

