import DemilgeCore
import Fluent
import Vapor

extension Request {
    /// The list page asked for in the query (`page`, `per_page`), within `ListPage`'s bounds; 400 otherwise.
    func pageRequest(defaultPerPage: Int) throws -> ListPage {
        do {
            return try ListPage.parse(page: query[String.self, at: "page"], perPage: query[String.self, at: "per_page"], defaultPerPage: defaultPerPage)
        } catch {
            throw DemilgeError.badPage
        }
    }
}

extension FormState {
    /// The field as a whole number within `range`, or nil when it is empty, not a number or outside the range.
    func integer(_ field: String, in range: ClosedRange<Int>) -> Int? { BoundedInt.parse(self[field], in: range) }

    /// The version the form was opened at; nil (a stale edit) when missing or not a version.
    var version: Int? { VersionClaim.read(self["version"]) }
}

extension Model where IDValue == UUID {
    /// The primary key as addresses and exports write it (lowercased), or "" for a model not yet saved:
    /// never a trap on a missing id.
    var idString: String { id?.uuidString.lowercased() ?? "" }
}

extension Request {
    /// A repeated form field (`territories[]`, `invited[]`, `problem[]`…) as distinct non-empty values, at most `max` of
    /// them (nil beyond: a list that long is never a person's choice, and every value becomes a query parameter).
    func formList(_ field: String, max: Int) -> [String]? {
        let values = ((try? content.get([String].self, at: field)) ?? []).filter { !$0.isEmpty }
        var seen = Set<String>()
        let distinct = values.filter { seen.insert($0).inserted }
        return distinct.count <= max ? distinct : nil
    }
}
