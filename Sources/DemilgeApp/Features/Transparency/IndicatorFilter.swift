import DemilgeCore
import Fluent
import Vapor

/// The indicators' filter from the address: a programme, a place (and all under it), a period of months; and the
/// same filter as a query string.
struct IndicatorFilter {
    var programme: Programme?
    var territory: Territory?
    var from: YearMonth?
    var to: YearMonth?
    var query: String

    static func read(_ req: Request) async throws -> IndicatorFilter {
        let slug = req.query[String.self, at: "programme"] ?? ""
        let code = req.query[String.self, at: "territory"] ?? ""
        let from = req.query[String.self, at: "from"] ?? ""
        let to = req.query[String.self, at: "to"] ?? ""
        var filter = IndicatorFilter(programme: nil, territory: nil, from: Self.month(from), to: Self.month(to), query: "")
        if !slug.isEmpty { filter.programme = try await Programme.query(on: req.db).filter(\.$slug == slug).first() }
        if !code.isEmpty { filter.territory = try await req.territoryDirectory().byCode[code] }
        var items: [URLQueryItem] = []
        if let p = filter.programme { items.append(URLQueryItem(name: "programme", value: p.slug)) }
        if let t = filter.territory { items.append(URLQueryItem(name: "territory", value: t.code)) }
        if let from = filter.from { items.append(URLQueryItem(name: "from", value: from.description)) }
        if let to = filter.to { items.append(URLQueryItem(name: "to", value: to.description)) }
        var components = URLComponents()
        components.queryItems = items
        filter.query = items.isEmpty ? "" : (components.percentEncodedQuery ?? "")
        return filter
    }

    /// `2025-03`, or a day such as `2025-03-15` as the month it falls in (the filter once took days).
    static func month(_ text: String) -> YearMonth? { YearMonth(text) ?? Day(text)?.yearMonth }
}
