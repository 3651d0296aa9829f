import DemilgeCore
import Fluent
import Vapor

/// One page of a JSON list, with where it is in the whole list.
struct Page<Item: Encodable>: Encodable {
    let items: [Item]
    let page: Int
    let perPage: Int
    let total: Int
}

/// `?page=` and `?per_page=` of a list (bounded: 400 outside 1…10 000 and 1…100), applied to a query.
struct Paging {
    let request: ListPage
    static let maximum = ListPage.maximumPerPage

    init(_ req: Request) throws { request = try req.pageRequest(defaultPerPage: 50) }

    func apply<M: Model>(_ query: QueryBuilder<M>, on req: Request, map: ([M]) async throws -> [some Encodable]) async throws -> Response {
        let total = try await query.copy().count()
        let models = try await query.range(request.range).all()
        return try await OpenData.json(Page(items: try await map(models), page: request.page, perPage: request.perPage, total: total), on: req)
    }
}
