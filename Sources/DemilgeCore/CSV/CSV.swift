import Foundation

/// RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF line ends.
public enum CSV {
    public struct ParseError: Error, Equatable, Sendable {
        public var line: Int
        public var reason: Reason
        public enum Reason: String, Sendable { case unterminatedQuote, characterAfterQuote }

        public init(line: Int, reason: Reason) {
            self.line = line
            self.reason = reason
        }
    }

    /// Rows of fields, each with the line number it started on (1-based). Blank lines are skipped.
    public static func parse(_ text: String) throws(ParseError) -> [(line: Int, fields: [String])] {
        var rows: [(Int, [String])] = []
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var afterQuote = false
        var line = 1
        var rowStart = 1
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil

        func endRow() {
            fields.append(restored(field))
            if !(fields.count == 1 && fields[0].isEmpty) { rows.append((rowStart, fields)) }
            fields = []
            field = ""
        }

        while let scalar = pending ?? iterator.next() {
            pending = nil
            if inQuotes {
                if scalar == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { field.unicodeScalars.append("\"") } else { inQuotes = false; afterQuote = true; pending = next }
                    } else { inQuotes = false; afterQuote = true }
                } else {
                    if scalar == "\n" { line += 1 }
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case ",":
                fields.append(restored(field)); field = ""; afterQuote = false
            case "\r":
                continue
            case "\n":
                endRow(); afterQuote = false; line += 1; rowStart = line
            case "\"" where field.isEmpty && !afterQuote:
                inQuotes = true
            default:
                if afterQuote { throw ParseError(line: line, reason: .characterAfterQuote) }
                field.unicodeScalars.append(scalar)
            }
        }
        if inQuotes { throw ParseError(line: rowStart, reason: .unterminatedQuote) }
        if !field.isEmpty || !fields.isEmpty { endRow() }
        return rows
    }

    public static func escape(_ field: String) -> String {
        let field = neutralised(field)
        // Spreadsheets in Russian and Kyrgyz settings split on ";" (and some on tabs): such a field is quoted too, so
        // that no part of it becomes a cell of its own (and a formula).
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == ";" || $0 == "\t" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection).
    static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]

    /// A cell a spreadsheet would run as a formula gets a leading apostrophe, which spreadsheets show as text;
    /// plain numbers (`-12.50`) are left as they are, since they cannot be formulas. A cell that already starts
    /// with such an apostrophe gets one more, so that reading it back (`restored`) gives exactly what was typed.
    public static func neutralised(_ field: String) -> String {
        needsGuard(Substring(field)) ? "'" + field : field
    }

    /// Reading back what `neutralised` wrote.
    static func restored(_ field: String) -> String {
        field.hasPrefix("'") && needsGuard(field.dropFirst()) ? String(field.dropFirst()) : field
    }

    static func needsGuard(_ text: Substring) -> Bool {
        guard let first = text.unicodeScalars.first else { return false }
        if formulaStarts.contains(first) { return !isPlainNumber(String(text)) }
        return first == "'" && needsGuard(text.dropFirst())
    }

    static func isPlainNumber(_ text: String) -> Bool {
        let body = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        return (1...2).contains(parts.count) && parts.allSatisfy { !$0.isEmpty && $0.utf8.allSatisfy { (0x30...0x39).contains($0) } }
    }

    public static func write(header: [String], rows: [[String]]) -> String {
        ([header] + rows).map { $0.map(escape).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }
}
