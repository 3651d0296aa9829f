import DemilgeCore
import Vapor

/// What a form shows again after a failed submit: the values typed and a message per field.
struct FormState: Encodable {
    var values: [String: String] = [:]
    var errors: [String: String] = [:]
    /// Why the form was refused, as a type: the response status follows from it, never from a message's text.
    private(set) var refusal: FormRefusal?

    var isValid: Bool { errors.isEmpty }

    /// 403 when the user may not do this here, 409 when the record moved on meanwhile, else 422.
    var status: HTTPResponseStatus { (refusal ?? .invalid).status }

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
            let raw = (req.formFields[field] ?? "").withoutControlCharacters
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

    mutating func fail(_ field: String, _ message: String, _ kind: FormRefusal = .invalid) {
        if errors[field] == nil { errors[field] = message }
        refusal = max(refusal ?? kind, kind)
    }

    /// The record changed since the form was shown: the message and the 409 always go together.
    mutating func failStale(_ field: String, _ req: Request) {
        fail(field, req.t(DemilgeError.staleEdit.catalogKey), .conflict)
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

/// How a submitted form was refused, from least to most serious (the most serious one decides the status).
enum FormRefusal: Int, Comparable {
    /// Something typed is not acceptable.
    case invalid
    /// The record changed since the form was shown, or is in a state that no longer takes this.
    case conflict
    /// The user may not do this for the place or record chosen.
    case forbidden
    /// Too many attempts in a while (a guessable secret such as a ПИН is being tried).
    case rateLimited

    var status: HTTPResponseStatus {
        switch self {
        case .invalid: .unprocessableEntity
        case .conflict: .conflict
        case .forbidden: .forbidden
        case .rateLimited: .tooManyRequests
        }
    }

    static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

enum EmailAddress {
    /// A pragmatic check: one @, a dot in the domain, printable ASCII (an international domain in its `xn--` form)
    /// without spaces or the characters that would make it a list of addresses for sendmail, at most 254 characters.
    static func normalised(_ text: String) -> String? {
        let email = text.trimmingCharacters(in: .whitespaces).lowercased()
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard email.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
              !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
              email.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F && !"<>\",;:()[]\\".unicodeScalars.contains($0) })
        else { return nil }
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

/// A submitted form's text fields, decoded from the body once per request (reading fields one by one decodes
/// the whole body again for each, and the number of fields a form has can grow with the data: a ballot has one
/// per project, a conflict declaration two per application).
struct FormFields: Decodable {
    let values: [String: String]

    private struct Key: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        var values: [String: String] = [:]
        for key in container.allKeys {
            if let value = try? container.decode(String.self, forKey: key) { values[key.stringValue] = value }
        }
        self.values = values
    }
}

extension Request {
    private struct FormFieldsKey: StorageKey { typealias Value = [String: String] }

    /// The form's text fields (files, lists and nested fields aside), decoded once.
    var formFields: [String: String] {
        if let cached = storage[FormFieldsKey.self] { return cached }
        let fields = (try? content.decode(FormFields.self))?.values ?? [:]
        storage[FormFieldsKey.self] = fields
        return fields
    }
}
