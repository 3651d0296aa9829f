import Foundation

/// The three languages of Demilge, Kyrgyz first.
public enum Language: String, CaseIterable, Codable, Sendable {
    case ky, ru, en

    public static let `default`: Language = .ky

    /// The Foundation locale used for every formatter and collation in this language.
    public var locale: Locale {
        switch self {
        case .ky: Self.kyrgyz
        case .ru: Self.russian
        case .en: Self.english
        }
    }

    private static let kyrgyz = Locale(identifier: "ky_KG")
    private static let russian = Locale(identifier: "ru_KG")
    private static let english = Locale(identifier: "en_GB")

    /// Parses a language code such as `ru`, `ru-RU` or `ky_KG`; nil for anything else.
    public init?(code: String) {
        let prefix = code.trimmingCharacters(in: .whitespaces).prefix(2).lowercased()
        guard let language = Language(rawValue: prefix) else { return nil }
        self = language
    }

    /// Picks the first supported language in an `Accept-Language` header.
    public static func preferred(acceptLanguage header: String?) -> Language? {
        guard let header else { return nil }
        let ranked = header.split(separator: ",").compactMap { part -> (Language, Double)? in
            let pieces = part.split(separator: ";")
            guard let tag = pieces.first, let language = Language(code: String(tag)) else { return nil }
            let quality = pieces.dropFirst()
                .first { $0.trimmingCharacters(in: .whitespaces).hasPrefix("q=") }
                .flatMap { Double($0.trimmingCharacters(in: .whitespaces).dropFirst(2)) } ?? 1
            return (language, quality)
        }
        return ranked.max { $0.1 < $1.1 }?.0
    }
}

/// A text stored in the three languages; missing translations fall back to Kyrgyz, then to any.
public struct LocalizedText: Codable, Hashable, Sendable {
    public var ky: String
    public var ru: String?
    public var en: String?

    public init(ky: String, ru: String? = nil, en: String? = nil) {
        self.ky = ky
        self.ru = ru
        self.en = en
    }

    /// The text in `language`, and the language it is really written in (for a `lang` attribute).
    public func resolved(_ language: Language) -> (text: String, language: Language) {
        switch language {
        case .ky: if !ky.isEmpty { return (ky, .ky) }
        case .ru: if let ru, !ru.isEmpty { return (ru, .ru) }
        case .en: if let en, !en.isEmpty { return (en, .en) }
        }
        if !ky.isEmpty { return (ky, .ky) }
        if let ru, !ru.isEmpty { return (ru, .ru) }
        return (en ?? "", .en)
    }

    public func text(_ language: Language) -> String { resolved(language).text }
}
