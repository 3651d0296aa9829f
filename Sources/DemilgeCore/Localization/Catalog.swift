import Foundation

/// UI strings in ky, ru and en, loaded from `Resources/Localization/{ky,ru,en}.json`.
///
/// Values may contain placeholders, filled by `text(_:_:arguments:)`:
/// - `{name}`: the argument as given;
/// - `{name, plural, one {# проект} few {# проекта} many {# проектов} other {# проекта}}`: the branch of the
///   argument's CLDR plural category in the value's language (`PluralCategory`), `#` standing for the argument; a
///   branch may hold other placeholders; `other` is required and used when the argument is no number;
/// - `{name:ablative}` (Kyrgyz): the number or long date with its case ending (`KyrgyzNumeral.inflect`): "3төн",
///   "10дон", "2025-жылдын 15-мартында".
public struct Catalog: Sendable {
    public private(set) var tables: [Language: [String: String]]

    public init(tables: [Language: [String: String]]) {
        self.tables = tables
    }

    public enum LoadError: Error, CustomStringConvertible {
        case missingFile(URL)
        case malformed(URL, String)

        public var description: String {
            switch self {
            case .missingFile(let url): "missing catalog \(url.path)"
            case .malformed(let url, let why): "malformed catalog \(url.path): \(why)"
            }
        }
    }

    public static func load(directory: URL) throws -> Catalog {
        var tables: [Language: [String: String]] = [:]
        for language in Language.allCases {
            let url = directory.appendingPathComponent("\(language.rawValue).json")
            guard let data = FileManager.default.contents(atPath: url.path) else { throw LoadError.missingFile(url) }
            do {
                tables[language] = try JSONDecoder().decode([String: String].self, from: data)
            } catch {
                throw LoadError.malformed(url, "\(error)")
            }
        }
        return Catalog(tables: tables)
    }

    /// Every key present in at least one language.
    public var allKeys: Set<String> {
        tables.values.reduce(into: Set<String>()) { $0.formUnion($1.keys) }
    }

    /// Keys that some language lacks (or has empty), per language.
    public var missingKeys: [Language: [String]] {
        let keys = allKeys
        var missing: [Language: [String]] = [:]
        for language in Language.allCases {
            let table = tables[language] ?? [:]
            let absent = keys.filter { (table[$0] ?? "").isEmpty }.sorted()
            if !absent.isEmpty { missing[language] = absent }
        }
        return missing
    }

    public func has(_ key: String, in language: Language) -> Bool {
        !(tables[language]?[key] ?? "").isEmpty
    }

    /// The string for `key`; a missing key yields the key itself in brackets, which tests look for.
    public func text(_ key: String, _ language: Language, arguments: [String: String] = [:]) -> String {
        let found = tables[language]?[key].map { ($0, language) } ?? tables[.ky]?[key].map { ($0, Language.ky) }
        guard let (template, written) = found else { return "⟦\(key)⟧" }
        return MessageFormat.fill(template, written, arguments)
    }

    /// The marker a missing key renders as; a rendered page containing it is a bug.
    public static let missingMarker = "⟦"
}
