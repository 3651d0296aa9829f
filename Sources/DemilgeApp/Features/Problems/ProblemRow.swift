import DemilgeCore
import Fluent
import Vapor

/// A problem as listed: title, category, status and place, in the reader's language.
struct ProblemRow: Encodable {
    let id: String
    let title: String
    let category: String
    let status: String
    let statusKey: String
    let place: TerritoryLink
    let supports: Int
    let date: String

    static func of(_ problem: Problem, _ req: Request) -> ProblemRow {
        ProblemRow(id: problem.idString, title: problem.title, category: req.t(problem.category.catalogKey),
                   status: req.t(problem.status.catalogKey), statusKey: problem.status.rawValue,
                   place: TerritoryLink(problem.territory, req.language, catalog: req.application.catalog),
                   supports: problem.supportCount,
                   date: problem.createdAt.map { Formatters.date($0, req.language) } ?? "")
    }
}
