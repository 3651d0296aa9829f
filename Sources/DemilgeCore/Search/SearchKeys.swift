import Foundation

/// What a text is found by. Every word gets the keys of the languages it may be in: its Kyrgyz stem and a light
/// Russian stem for Cyrillic words (the same letters serve both), a light English stem for Latin ones. A query word
/// matches a document word when they share a key, so "айыл" finds "айылдарынан" and "вода" finds "воды".
public enum SearchKeys {
    public static func keys(of word: String, fold: Bool = false) -> Set<String> {
        let lower = word.lowercased().replacingOccurrences(of: "ё", with: "е")
        var keys: Set<String>
        if lower.allSatisfy(KyrgyzStemmer.isCyrillicLetter) {
            keys = [KyrgyzStemmer.stem(lower), russianStem(lower)]
        } else if lower.allSatisfy({ $0.isASCII }) {
            keys = [englishStem(lower)]
        } else {
            keys = [lower]
        }
        return fold ? Set(keys.map(KyrgyzStemmer.folded)) : keys
    }

    /// All keys of a text, as stored for searching.
    public static func keys(ofText text: String, fold: Bool = false) -> Set<String> {
        KyrgyzStemmer.words(text).reduce(into: Set<String>()) { $0.formUnion(keys(of: $1, fold: fold)) }
    }

    /// The stored form: keys between spaces, so that `LIKE '% key %'` finds whole keys on SQLite and PostgreSQL alike.
    public static func column(_ keys: Set<String>) -> String { " " + keys.sorted().joined(separator: " ") + " " }

    static let russianEndings = ["иями", "ями", "ами", "иях", "ого", "его", "ому", "ему", "ыми", "ими", "ях", "ах", "ой", "ей", "ом", "ем",
                                 "ам", "ям", "ов", "ев", "ий", "ый", "ая", "яя", "ое", "ее", "ые", "ие", "ую", "юю", "ых", "их",
                                 "а", "я", "ы", "и", "у", "ю", "е", "о", "ь"]

    /// Strips one common Russian noun or adjective ending, keeping at least three letters (улицы, улица → улиц).
    static func russianStem(_ word: String) -> String {
        for ending in russianEndings where word.hasSuffix(ending) && word.count - ending.count >= 3 {
            return String(word.dropLast(ending.count))
        }
        return word
    }

    /// Plural and possessive -s, -es, -ies (roads → road, cities → city).
    static func englishStem(_ word: String) -> String {
        if word.hasSuffix("'s") { return String(word.dropLast(2)) }
        if word.count > 4 && word.hasSuffix("ies") { return String(word.dropLast(3)) + "y" }
        if word.count > 3 && word.hasSuffix("s") && !word.hasSuffix("ss") { return String(word.dropLast()) }
        return word
    }
}

/// A text cut into runs, with the words a query matched marked, for highlighting without writing HTML.
public struct Highlight: Equatable, Sendable {
    public struct Run: Equatable, Sendable, Encodable {
        public let text: String
        public let marked: Bool
        public init(text: String, marked: Bool) {
            self.text = text
            self.marked = marked
        }
    }

    public let runs: [Run]
    public var matched: Bool { runs.contains(where: \.marked) }

    public init(_ text: String, query: [Set<String>], fold: Bool = false) {
        var runs: [Run] = []
        var current = ""
        var inWord = false
        func flush() {
            guard !current.isEmpty else { return }
            let marked = inWord && !SearchKeys.keys(of: current, fold: fold).isDisjoint(with: query.reduce(into: Set<String>()) { $0.formUnion($1) })
            if let last = runs.last, !last.marked, !marked { runs[runs.count - 1] = Run(text: last.text + current, marked: false) }
            else { runs.append(Run(text: current, marked: marked)) }
            current = ""
        }
        for character in text {
            let isWordCharacter = character.isLetter || character.isNumber
            if isWordCharacter != inWord { flush(); inWord = isWordCharacter }
            current.append(character)
        }
        flush()
        self.runs = runs
    }

    /// About `length` characters around the first match (or the start), cut at word boundaries.
    public static func snippet(_ text: String, query: [Set<String>], fold: Bool = false, length: Int = 220) -> Highlight {
        let full = Highlight(text, query: query, fold: fold)
        guard text.count > length else { return full }
        var offset = 0, start = 0
        for run in full.runs {
            if run.marked { start = max(0, offset - length / 3); break }
            offset += run.text.count
        }
        var slice = String(text.dropFirst(start).prefix(length))
        if start > 0, let space = slice.firstIndex(of: " ") { slice = "…" + slice[slice.index(after: space)...] }
        if start + length < text.count, let space = slice.lastIndex(of: " ") { slice = slice[..<space] + " …" }
        return Highlight(slice, query: query, fold: fold)
    }
}
