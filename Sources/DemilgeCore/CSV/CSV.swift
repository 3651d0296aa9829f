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
            fields.append(field)
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
                fields.append(field); field = ""; afterQuote = false
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
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    public static func write(header: [String], rows: [[String]]) -> String {
        ([header] + rows).map { $0.map(escape).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }
}
