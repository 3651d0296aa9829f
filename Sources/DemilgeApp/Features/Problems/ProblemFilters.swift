import DemilgeCore
import Fluent
import Vapor

/// The problems list's filters, read from the address: place (and everything under it), category, status, order.
struct ProblemFilters {
    var territory: Territory?
    var category: ProblemCategory?
    var status: ProblemStatus?
    var sortBySupport: Bool

    init(_ req: Request) async throws {
        territory = try await req.query["territory"].asyncFlatMap { try await Territory.query(on: req.db).filter(\.$code == $0).first() }
        category = req.query["category"].flatMap(ProblemCategory.init(rawValue:))
        status = req.query["status"].flatMap(ProblemStatus.init(rawValue:))
        sortBySupport = req.query["sort"] != "date"
    }

    /// Listed problems matching the filters, most supported (or newest) first.
    func listed(on db: any Database, limit: Int? = nil) async throws -> [Problem] {
        var query = Problem.query(on: db).filter(\.$hidden == false).filter(\.$mergedInto.$id == nil)
        if let territory {
            let subtree = try await TerritoryDirectory.load(on: db).subtree(of: (try territory.requireID()))
            query = query.filter(\.$territory.$id ~~ Array(subtree))
        }
        if let category { query = query.filter(\.$category == category) }
        if let status { query = query.filter(\.$status == status) }
        query = sortBySupport ? query.sort(\.$supportCount, .descending).sort(\.$createdAt, .descending) : query.sort(\.$createdAt, .descending)
        if let limit { query = query.limit(limit) }
        return try await query.with(\.$territory).all()
    }
}
