import DemilgeCore
import Fluent
import Vapor

/// The problems list's filters, read from the address: place (and everything under it), category, status, order.
struct ProblemFilters {
    var territory: Territory?
    var category: ProblemCategory?
    var status: ProblemStatus?
    var sortBySupport: Bool
    /// The chosen place and everything under it.
    var places: [UUID]?

    init(_ req: Request) async throws {
        let directory = try await req.territoryDirectory()
        territory = (req.query["territory"] as String?).flatMap { directory.byCode[$0] }
        if let id = territory?.id { places = Array(directory.subtree(of: id)) }
        category = req.query["category"].flatMap(ProblemCategory.init(rawValue:))
        status = req.query["status"].flatMap(ProblemStatus.init(rawValue:))
        sortBySupport = req.query["sort"] != "date"
    }

    /// Listed problems matching the filters, most supported (or newest) first; the id settles ties, so a page
    /// always holds the same problems.
    func query(on db: any Database) -> QueryBuilder<Problem> {
        let query = Problem.query(on: db).filter(\.$hidden == false).filter(\.$mergedInto.$id == nil)
        if let places { query.filter(\.$territory.$id ~~ places) }
        if let category { query.filter(\.$category == category) }
        if let status { query.filter(\.$status == status) }
        if sortBySupport { query.sort(\.$supportCount, .descending) }
        return query.sort(\.$createdAt, .descending).sort(\.$id, .descending)
    }

    func listed(on db: any Database) async throws -> [Problem] {
        try await query(on: db).with(\.$territory).all()
    }
}
