import DemilgeCore
import Fluent
import Vapor

extension Request {
    /// The list page asked for in the query (`page`, `per_page`), within `ListPage`'s bounds; 400 otherwise.
    /// A page of an HTML list: `?page=` only; its size is the page's own, so its links never disagree with it.
    func htmlPage(perPage: Int) throws -> ListPage {
        do {
            return try ListPage.parse(page: query[String.self, at: "page"], perPage: nil, defaultPerPage: perPage)
        } catch {
            throw DemilgeError.badPage
        }
    }

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

extension Request {
    /// The query value at `key` as a stored state: nil when absent, refused (400) when it names no state.
    func queryState<State: StoredState>(_ type: State.Type, at key: String) throws -> State? {
        guard let text = query[String.self, at: key] else { return nil }
        guard let state = State(rawValue: text) else { throw DemilgeError.badRequest }
        return state
    }
}

extension FormState {
    /// The field as an amount in tyiyn, more than zero (or zero or empty, with `allowZero`); else 0 and
    /// "not an amount" recorded against it.
    mutating func amount(_ field: String, _ req: Request, allowZero: Bool = false) -> Int64 {
        if allowZero && self[field].isEmpty { return 0 }
        guard let money = try? Money.parse(self[field], as: req.language), money.minorUnits > 0 || (allowZero && money.minorUnits == 0) else {
            fail(field, req.t("validation.money"))
            return 0
        }
        return money.minorUnits
    }

    /// Records "not a date" against the field unless it names a real day (`YYYY-MM-DD`).
    @discardableResult
    mutating func requireDay(_ field: String, _ req: Request) -> Day? {
        guard let day = Day(self[field]) else {
            fail(field, req.t("validation.date"))
            return nil
        }
        return day
    }
}
