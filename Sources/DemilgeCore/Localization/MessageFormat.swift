import Foundation

/// Fills a catalog value's placeholders (see `Catalog`): plural blocks first, then Kyrgyz case endings, then plain
/// names. A malformed block is left as written, so a catalog mistake shows on the page instead of stopping it.
enum MessageFormat {
    static func fill(_ template: String, _ language: Language, _ arguments: [String: String]) -> String {
        var value = template
        if value.contains(", plural,") { value = choosePlurals(value, language, arguments) }
        if value.contains(":") {
            for (name, replacement) in arguments {
                for grammaticalCase in KyrgyzCase.allCases {
                    let placeholder = "{\(name):\(grammaticalCase.rawValue)}"
                    guard value.contains(placeholder) else { continue }
                    value = value.replacingOccurrences(of: placeholder, with: KyrgyzNumeral.inflect(replacement, grammaticalCase))
                }
            }
        }
        for (name, replacement) in arguments {
            value = value.replacingOccurrences(of: "{\(name)}", with: replacement)
        }
        return value
    }

    /// Replaces every `{name, plural, …}` block by its chosen branch.
    private static func choosePlurals(_ template: String, _ language: Language, _ arguments: [String: String]) -> String {
        let characters = Array(template)
        var out = "", index = 0
        while index < characters.count {
            if characters[index] == "{", let (replacement, end) = pluralBlock(characters, at: index, language, arguments) {
                out += replacement
                index = end
            } else {
                out.append(characters[index])
                index += 1
            }
        }
        return out
    }

    /// The chosen branch of the plural block opening at `start`, and the index after its closing brace.
    private static func pluralBlock(_ c: [Character], at start: Int, _ language: Language, _ arguments: [String: String]) -> (String, Int)? {
        guard let comma = c[start...].firstIndex(of: ",") else { return nil }
        let name = String(c[(start + 1)..<comma]).trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { return nil }
        var index = comma + 1
        skipSpaces(c, &index)
        guard String(c[index..<min(index + 7, c.count)]) == "plural," else { return nil }
        index += 7
        var branches: [String: String] = [:]
        while true {
            skipSpaces(c, &index)
            guard index < c.count else { return nil }
            if c[index] == "}" { break }
            let wordStart = index
            while index < c.count, c[index].isLetter { index += 1 }
            let category = String(c[wordStart..<index])
            skipSpaces(c, &index)
            guard !category.isEmpty, index < c.count, c[index] == "{", let close = matchingBrace(c, index) else { return nil }
            branches[category] = String(c[(index + 1)..<close])
            index = close + 1
        }
        guard let other = branches["other"] else { return nil }
        let argument = arguments[name]
        let category = argument.flatMap { PluralCategory.of(shown: $0, language) } ?? .other
        let branch = branches[category.rawValue] ?? other
        return (branch.replacingOccurrences(of: "#", with: argument ?? "{\(name)}"), index + 1)
    }

    private static func skipSpaces(_ c: [Character], _ index: inout Int) {
        while index < c.count, c[index].isWhitespace { index += 1 }
    }

    private static func matchingBrace(_ c: [Character], _ open: Int) -> Int? {
        var depth = 0
        for index in open..<c.count {
            if c[index] == "{" { depth += 1 }
            if c[index] == "}" {
                depth -= 1
                if depth == 0 { return index }
            }
        }
        return nil
    }
}
