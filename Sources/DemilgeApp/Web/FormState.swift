import DemilgeCore
import Vapor

/// What a form shows again after a failed submit: the values typed and a message per field.
struct FormState: Encodable {
    var values: [String: String] = [:]
    var errors: [String: String] = [:]

    var isValid: Bool { errors.isEmpty }

    enum CodingKeys: String, CodingKey { case values, errors, failed }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(values, forKey: .values)
        try container.encode(errors, forKey: .errors)
        try container.encode(!errors.isEmpty, forKey: .failed)
    }

    /// Reads the named fields of a submitted form as trimmed text (missing ones as empty),
    /// without control characters other than tab and line breaks.
    static func read(_ req: Request, fields: [String], keepUntrimmed: Set<String> = []) -> FormState {
        var state = FormState()
        for field in fields {
            let raw = ((try? req.content.get(String.self, at: field)) ?? "").withoutControlCharacters
            state.values[field] = keepUntrimmed.contains(field) ? raw : raw.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return state
    }

    subscript(field: String) -> String { values[field] ?? "" }

    /// The field's text, or nil when it was left empty.
    func optional(_ field: String) -> String? { self[field].isEmpty ? nil : self[field] }

    /// The fields `<prefix>_ky`, `<prefix>_ru` and `<prefix>_en` as one text.
    func localized(_ prefix: String) -> LocalizedText {
        LocalizedText(ky: self["\(prefix)_ky"], ru: optional("\(prefix)_ru"), en: optional("\(prefix)_en"))
    }

    mutating func fail(_ field: String, _ message: String) {
        if errors[field] == nil { errors[field] = message }
    }

    /// Checks a required text of bounded length.
    mutating func requireText(_ field: String, length: ClosedRange<Int>, _ req: Request) {
        let count = self[field].count
        if count == 0 { fail(field, req.t("validation.required")) }
        else if !length.contains(count) {
            fail(field, req.t("validation.length", ["min": String(length.lowerBound), "max": String(length.upperBound)]))
        }
    }

    mutating func optionalText(_ field: String, max: Int, _ req: Request) {
        if self[field].count > max { fail(field, req.t("validation.length", ["min": "0", "max": String(max)])) }
    }
}

enum EmailAddress {
    /// A pragmatic check: one @, a dot in the domain, no spaces, at most 254 characters.
    static func normalised(_ text: String) -> String? {
        let email = text.trimmingCharacters(in: .whitespaces).lowercased()
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard email.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
              !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
              !email.contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" || $0 == "\"" }) else { return nil }
        return email
    }
}

extension String {
    /// The text without NUL and other control characters (tab, CR and LF stay): PostgreSQL refuses
    /// NUL in text, and none of them belongs in what people type.
    var withoutControlCharacters: String {
        guard unicodeScalars.contains(where: { ($0.value < 0x20 && $0 != "\t" && $0 != "\n" && $0 != "\r") || $0.value == 0x7F }) else { return self }
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: unicodeScalars.filter { !(($0.value < 0x20 && $0 != "\t" && $0 != "\n" && $0 != "\r") || $0.value == 0x7F) })
        return String(scalars)
    }
}
