@testable import DemilgeApp
import DemilgeCore
import Foundation
import Testing

/// The Kyrgyz and Russian catalogs as an editor reads them: no Latin letter inside a Cyrillic word, no Kyrgyz word
/// typed on a Russian keyboard (о, у, н where the word has ө, ү, ң), no English left in them.
@Suite("Wording of the Kyrgyz and Russian catalogs")
struct WordingTests {
    static let glossary = CatalogTests.root.deletingLastPathComponent().appendingPathComponent("shared/GLOSSARY.md")

    static func words(_ text: String) -> [String] {
        text.lowercased().split { !$0.isLetter }.map(String.init)
    }

    static func isCyrillic(_ c: Character) -> Bool { c.unicodeScalars.allSatisfy { (0x0400...0x04FF).contains($0.value) } }
    static func isLatin(_ c: Character) -> Bool { c.isASCII && c.isLetter }

    /// A value without its placeholders and the syntax of its plural blocks (their branches stay).
    static func prose(_ value: String) -> String {
        var text = value
        for pattern in [#"\{[a-z_]+, plural,"#, #"\b(zero|one|two|few|many|other) \{"#, #"\{[a-z_]+(:[a-z]+)?\}"#] {
            text = text.replacingOccurrences(of: pattern, with: " ", options: .regularExpression)
        }
        return text
    }

    @Test("no word mixes Latin and Cyrillic letters (a Latin о or с in a Kyrgyz word, an ending on an acronym)")
    func noMixedScripts() throws {
        let catalog = try CatalogTests.catalog
        for language in [Language.ky, .ru] {
            for (key, value) in catalog.tables[language] ?? [:] {
                let mixed = Self.words(Self.prose(value)).filter { $0.contains(where: Self.isLatin) && $0.contains(where: Self.isCyrillic) }
                #expect(mixed.isEmpty, "\(language) \(key): \(mixed)")
            }
        }
    }

    /// Latin words a Kyrgyz or Russian text may hold: names of formats and sites, keys on a keyboard, column names
    /// of the resident roll's file (fixed, whatever the language), and acronyms (all capitals).
    static let allowedLatin: Set<String> = ["pabulib", "org", "pb", "http", "https", "ctrl", "atom", "e", "mail",
                                            "pin", "settlement", "name", "birth", "date", "sex", "k"]

    @Test("no English is left in the Kyrgyz and Russian catalogs")
    func noEnglish() throws {
        let catalog = try CatalogTests.catalog
        for language in [Language.ky, .ru] {
            for (key, value) in catalog.tables[language] ?? [:] {
                let latin = Self.prose(value).split { !$0.isLetter }.map(String.init)
                    .filter { $0.allSatisfy(Self.isLatin) && $0 != $0.uppercased() && !Self.allowedLatin.contains($0.lowercased()) }
                #expect(latin.isEmpty, "\(language) \(key): \(latin)")
            }
        }
    }

    @Test("no Kyrgyz word is written with о, у or н where the glossary or the catalog itself writes ө, ү or ң")
    func kyrgyzLetters() throws {
        let glossary = try String(contentsOf: Self.glossary, encoding: .utf8)
        let kyrgyzColumn = glossary.split(separator: "\n").filter { $0.hasPrefix("|") && !$0.hasPrefix("|---") }
            .compactMap { $0.split(separator: "|", omittingEmptySubsequences: false).dropFirst().first.map(String.init) }
        let special: Set<Character> = ["ө", "ү", "ң"]
        let plain = { (word: String) in String(word.map { $0 == "ө" ? "о" : $0 == "ү" ? "у" : $0 == "ң" ? "н" : $0 }) }
        let glossaryStems = Set(kyrgyzColumn.flatMap(Self.words).filter { $0.count >= 4 && $0.contains(where: special.contains) }.map(plain))
        #expect(glossaryStems.count >= 10, "the glossary's Kyrgyz words were read")
        let catalog = try CatalogTests.catalog
        let ky = catalog.tables[.ky] ?? [:]
        let catalogWords = Set(ky.values.flatMap(Self.words).filter { $0.count >= 5 && $0.contains(where: special.contains) }.map(plain))
        for (key, value) in ky {
            let typedPlain = Self.words(value).filter { word in
                !word.contains(where: special.contains) && (catalogWords.contains(word) || glossaryStems.contains { word.hasPrefix($0) })
            }
            #expect(typedPlain.isEmpty, "ky \(key): \(typedPlain)")
        }
    }
}
