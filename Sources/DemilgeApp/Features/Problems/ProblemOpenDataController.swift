import DemilgeCore
import Fluent
import Vapor

/// The problems list as CSV and JSON, with the list's filters.
struct ProblemOpenDataController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("problems.csv", use: exportCSV)
        routes.get("problems.json", use: exportJSON)
    }

    struct ExportRow: Content {
        let id: String, title: String, description: String, category: String, status: String
        let territoryCode: String, territory: String, supports: Int, raisedOn: String
    }

    private func exportRows(_ req: Request) async throws -> [ExportRow] {
        try await ProblemFilters(req).listed(on: req.db).map { problem in
            ExportRow(id: problem.idString, title: problem.title, description: problem.description,
                      category: problem.category.rawValue, status: problem.status.rawValue, territoryCode: problem.territory.code,
                      territory: problem.territory.nameKy, supports: problem.supportCount,
                      raisedOn: problem.createdAt.map(Formatters.isoDate) ?? "")
        }
    }

    func exportCSV(req: Request) async throws -> Response {
        let rows = try await exportRows(req)
        let csv = CSV.write(header: ["id", "title", "description", "category", "status", "territory_code", "territory", "supports", "raised_on"],
                            rows: rows.map { [$0.id, $0.title, $0.description, $0.category, $0.status, $0.territoryCode, $0.territory, String($0.supports), $0.raisedOn] })
        return OpenData.csv(csv, filename: "demilge-problems.csv")
    }

    func exportJSON(req: Request) async throws -> Response {
        try await OpenData.json(try await exportRows(req), on: req)
    }
}
