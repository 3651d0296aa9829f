import DemilgeCore
import Fluent
import Vapor

/// The problems list: one page of the problems matching the filters, the filter choices (a place picker that
/// narrows from the oblast down), and the filters as a query string for the export and page links.
struct ProblemListPage: Encodable {
    static let perPage = 50
    let problems: [ProblemRow]
    let pages: PageLinks
    let categories: [Option]
    let statuses: [Option]
    let places: [PlaceGroup]
    let sortByDate: Bool
    let query: String
    let canRaise: Bool

    static func build(_ req: Request, filters: ProblemFilters) async throws -> ProblemListPage {
        let page = try req.htmlPage(perPage: perPage)
        async let rows = filters.query(on: req.db).with(\.$territory).range(page.offset..<(page.offset + page.perPage + 1)).all()
        async let places = PlaceGroup.narrowing(req, selected: filters.territory?.code ?? "")
        let query = ["territory", "category", "status", "sort"].compactMap { key -> String? in
            guard let value: String = req.query[key] else { return nil }
            return "\(key)=\(value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
        }.joined(separator: "&")
        let (problems, pages) = PageLinks.split(try await rows, page, path: "/problems", query: query)
        return ProblemListPage(
            problems: problems.map { ProblemRow.of($0, req) }, pages: pages,
            categories: ProblemCategory.allCases.map { .init(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0 == filters.category) },
            statuses: ProblemStatus.allCases.map { .init(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0 == filters.status) },
            places: try await places, sortByDate: !filters.sortBySupport, query: query, canRaise: req.actor.isSignedIn)
    }
}
