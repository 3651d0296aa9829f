import DemilgeCore
import Fluent
import Vapor

/// The indicators' filter from the address: a programme, a place (and all under it), a period; and the same
/// filter as a query string, which also keys the cache.
struct IndicatorFilter {
    var programme: Programme?
    var territory: Territory?
    var from: Day?
    var to: Day?
    var query: String

    static func read(_ req: Request) async throws -> IndicatorFilter {
        let slug = req.query[String.self, at: "programme"] ?? ""
        let code = req.query[String.self, at: "territory"] ?? ""
        let from = req.query[String.self, at: "from"] ?? ""
        let to = req.query[String.self, at: "to"] ?? ""
        var filter = IndicatorFilter(programme: nil, territory: nil, from: Day(from), to: Day(to), query: "")
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

    func inPeriod(_ day: Day) -> Bool { from.map { day >= $0 } ?? true && to.map { day <= $0 } ?? true }
}
