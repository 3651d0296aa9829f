import Foundation
import Testing

/// Swift stops the whole process on a force unwrap of nil, `try!` on an error, `as!` of the wrong type, a repeated
/// key in `uniqueKeysWithValues`, or a failed precondition: one request could take the site down for everybody.
/// This test reads every file under `Sources/` (comments and string literals removed) and fails with the file
/// and line of each such pattern, of numbers read from a request without a bound, and of a response status
/// decided by comparing translated text.
@Suite("No trap patterns in Sources/")
struct TrapPatternTests {
    struct Pattern {
        let name: String
        let regex: NSRegularExpression?
        let why: String
    }

    static let patterns: [Pattern] = [
        ("try!", #"\btry!"#, "traps on any error: use try and let the error become a page"),
        ("as!", #"\bas!"#, "traps on a wrong type: use as?"),
        ("uniqueKeysWithValues", #"uniqueKeysWithValues"#, "traps on a repeated key: use Dictionary(firstValues:)"),
        ("force unwrap", #"[A-Za-z0-9_\)\]\}>](?<!\btry)(?<!\bas)!([^=]|$)"#, "traps on nil: use guard let, ?? or requireID()"),
        ("trap", #"\b(fatalError|preconditionFailure|precondition|assertionFailure|assert)\("#, "stops the process"),
        ("unbounded request number", #"\[(Int|Int64|Int32|UInt)\.self|get\((Int|Int64)\.self|\b(Int|Int64)\((form|req|request|text|query)\b"#,
         "read numbers from a request with BoundedInt.parse, FormState.integer or VersionClaim.read"),
        ("status from translated text", #"[!=]=\s*req\.t\(|\breq\.t\([^()]*\)\s*[!=]=|errors\[[^\]]*\]\s*[!=]=\s*nil\s*\?"#,
         "a catalog edit would change the status: decide it from a typed value (FormState.status, DemilgeError)"),
        ("silent state fallback", #"\(rawValue:[^)]*\)\s*\?\?"#,
         "an unknown stored or seeded state would read as a default: store the enum itself (StoredState) or use init(stored:)"),
    ].map { name, pattern, why in
        // The patterns are constants of this file; a typo in one fails `scanner()`, it does not trap.
        Pattern(name: name, regex: try? NSRegularExpression(pattern: pattern, options: [.anchorsMatchLines]), why: why)
    }

    /// Each allowed occurrence, with why it cannot be reached by what a request carries.
    static let allowed: [(file: String, pattern: String, why: String)] = [
        ("DemilgeCore/Budgeting/Rational.swift", "trap",
         "a zero denominator is a programming error; every division by a typed or stored value is guarded before it is made, and the budgeting rules are tested on free projects and empty budgets"),
    ]

    static var sources: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources")
    }

    /// The code without comments and without the contents of string literals (which may say "!" freely).
    static func code(_ text: String) -> String {
        var out = ""
        var scalars = Array(text.unicodeScalars)
        scalars.append("\n")
        var index = 0
        var inBlockComment = 0
        while index < scalars.count {
            let c = scalars[index], next = index + 1 < scalars.count ? scalars[index + 1] : "\0"
            if inBlockComment > 0 {
                if c == "*" && next == "/" { inBlockComment -= 1; index += 2; continue }
                if c == "/" && next == "*" { inBlockComment += 1; index += 2; continue }
                if c == "\n" { out.unicodeScalars.append("\n") }
                index += 1
                continue
            }
            if c == "/" && next == "/" {
                while index < scalars.count && scalars[index] != "\n" { index += 1 }
                continue
            }
            if c == "/" && next == "*" { inBlockComment = 1; index += 2; continue }
            if c == "#" || c == "\"" {
                // A string literal, raw (#"…"#) or not, single- or multi-line: keep its quotes, drop its contents.
                var hashes = 0
                var start = index
                while start < scalars.count && scalars[start] == "#" { hashes += 1; start += 1 }
                guard start < scalars.count, scalars[start] == "\"" else { out.unicodeScalars.append(c); index += 1; continue }
                let multiline = start + 2 < scalars.count && scalars[start + 1] == "\"" && scalars[start + 2] == "\""
                let quote = multiline ? 3 : 1
                var cursor = start + quote
                var interpolation = 0
                while cursor < scalars.count {
                    let s = scalars[cursor]
                    if s == "\\" && hashes == 0 {
                        if cursor + 1 < scalars.count && scalars[cursor + 1] == "(" { interpolation += 1; out += "("; cursor += 2; continue }
                        cursor += 2
                        continue
                    }
                    if interpolation > 0 {
                        // Code inside \( … ) is code: keep it, but not the contents of a string literal inside it.
                        if s == "\"" {
                            cursor += 1
                            while cursor < scalars.count && scalars[cursor] != "\"" { cursor += scalars[cursor] == "\\" ? 2 : 1 }
                            out += "\"\""
                            cursor += 1
                            continue
                        }
                        if s == "(" { interpolation += 1 } else if s == ")" { interpolation -= 1 }
                        out.unicodeScalars.append(s)
                        cursor += 1
                        continue
                    }
                    if s == "\n" { out.unicodeScalars.append("\n") }
                    if s == "\"" {
                        let closesQuote = (0..<quote).allSatisfy { cursor + $0 < scalars.count && scalars[cursor + $0] == "\"" }
                        let closesHashes = (0..<hashes).allSatisfy { cursor + quote + $0 < scalars.count && scalars[cursor + quote + $0] == "#" }
                        if closesQuote && closesHashes { cursor += quote + hashes; break }
                    }
                    cursor += 1
                }
                out += "\"\""
                index = cursor
                continue
            }
            out.unicodeScalars.append(c)
            index += 1
        }
        return out
    }

    static func violations(in relativePath: String, _ text: String) -> [String] {
        let lines = code(text).components(separatedBy: "\n")
        var found: [String] = []
        for (number, line) in lines.enumerated() {
            let range = NSRange(line.startIndex..., in: line)
            for pattern in patterns where pattern.regex?.firstMatch(in: line, range: range) != nil {
                if allowed.contains(where: { relativePath.hasSuffix($0.file) && $0.pattern == pattern.name }) { continue }
                found.append("\(relativePath):\(number + 1): \(pattern.name) — \(pattern.why)\n    \(line.trimmingCharacters(in: .whitespaces))")
            }
        }
        return found
    }

    @Test("the scanner sees through comments and strings, and finds what it must")
    func scanner() {
        #expect(Self.patterns.allSatisfy { $0.regex != nil }, "every pattern compiles")
        let clean = """
            let a = "Hello!" // done!
            /* x! */ let b = x != y && !z
            let c = #"raw "quoted"! "#
            let d = \"\"\"
                multi!
                \"\"\"
            let e = "\\(value ?? "none!")"
            """
        #expect(Self.violations(in: "x.swift", clean).isEmpty, "\(Self.violations(in: "x.swift", clean))")
        for bad in ["let a = b!", "let a = f()!.x", "let a = try! f()", "let a = b as! C", "Dictionary(uniqueKeysWithValues: x)",
                    "precondition(x > 0)", "let n = req.query[Int.self, at: \"page\"]", "let n = Int(form[\"version\"])",
                    "let s = \"\\(id!)\"", "fatalError(\"no\")", "let w = xs.min { $0 < $1 }!.id"] {
            #expect(Self.violations(in: "x.swift", bad).count == 1, "\(bad)")
        }
    }

    @Test("no file under Sources/ holds a trap pattern outside the explained allow-list")
    func sourcesAreClean() throws {
        let files = try #require(FileManager.default.enumerator(at: Self.sources, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL })
        let swift = files.filter { $0.pathExtension == "swift" }
        #expect(swift.count > 50, "the sources were found at \(Self.sources.path)")
        var violations: [String] = []
        for file in swift {
            let relative = file.path.replacingOccurrences(of: Self.sources.path + "/", with: "")
            violations += Self.violations(in: relative, try String(contentsOf: file, encoding: .utf8))
        }
        #expect(violations.isEmpty, "\(violations.count) trap patterns:\n\(violations.joined(separator: "\n"))")
    }
}
