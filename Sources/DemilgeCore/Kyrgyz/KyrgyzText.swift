import Foundation

/// Kyrgyz-aware text helpers: collation and Latin slugs.
public enum KyrgyzText {
    /// Orders strings as the language's alphabet does (ң after н, ө after о, ү after у in Kyrgyz).
    public static func areInOrder(_ a: String, _ b: String, _ language: Language) -> Bool {
        a.compare(b, options: [.caseInsensitive], range: nil, locale: language.locale) == .orderedAscending
    }

    public static func sorted<T>(_ items: [T], by key: (T) -> String, _ language: Language) -> [T] {
        items.sorted { areInOrder(key($0), key($1), language) }
    }

    private static let latin: [Character: String] = [
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "j", "з": "z", "и": "i",
        "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "ң": "ng", "о": "o", "ө": "o", "п": "p", "р": "r",
        "с": "s", "т": "t", "у": "u", "ү": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sch",
        "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    ]

    /// A lowercase ASCII slug: `Чоң-Алай` → `chong-alay`, `Алай 1` → `alay-1`.
    public static func slug(_ text: String) -> String {
        var out = ""
        for character in text.lowercased() {
            if let mapped = latin[character] { out += mapped }
            else if character.isASCII, character.isLetter || character.isNumber { out.append(character) }
            else if !out.hasSuffix("-") { out += "-" }
        }
        return out.trimmingCharacters(in: CharacterSet(charactersIn: "-"))
    }
}
