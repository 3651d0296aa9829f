import DemilgeCore
import Fluent
import Vapor

/// The problems list: the 200 first problems matching the filters, the filter choices, and the filters as a query
/// string for the export links.
struct ProblemListPage: Encodable {
    let problems: [ProblemRow]
    let categories: [Option]
    let statuses: [Option]
    let places: [PlaceGroup]
    let sortByDate: Bool
    let query: String
    let canRaise: Bool

    static func build(_ req: Request, filters: ProblemFilters) async throws -> ProblemListPage {
        async let problems = filters.listed(on: req.db, limit: 200)
        async let places = PlaceGroup.choices(req, selected: filters.territory?.code ?? "", includeTopLevel: true)
        let query = ["territory", "category", "status", "sort"].compactMap { key -> String? in
            guard let value: String = req.query[key] else { return nil }
            return "\(key)=\(value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
        }.joined(separator: "&")
        return ProblemListPage(
            problems: try await problems.map { ProblemRow.of($0, req) },
            categories: ProblemCategory.allCases.map { .init(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0 == filters.category) },
            statuses: ProblemStatus.allCases.map { .init(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0 == filters.status) },
            places: try await places, sortByDate: !filters.sortBySupport, query: query, canRaise: req.actor.isSignedIn)
    }
}
