import Foundation

/// A small structured value (criteria, activities, counts by sex and age) kept as JSON in a text column.
///
/// It is read when the row is loaded: a row whose text is not a valid `Value` fails the query loudly instead of
/// reading as an empty list or zero participants.
struct JSONText<Value: Codable & Sendable>: Codable, Sendable {
    var value: Value

    init(_ value: Value) { self.value = value }

    init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        value = try JSONDecoder().decode(Value.self, from: Data(text.utf8))
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(try text())
    }

    /// The stored text: sorted keys, so equal values are stored (and audited) alike.
    func text() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// The stored text for an audit snapshot. The values kept this way hold no floating-point numbers, the only
    /// thing `JSONEncoder` refuses, so this never reads "null" in practice.
    var auditText: String { (try? text()) ?? "null" }
}
