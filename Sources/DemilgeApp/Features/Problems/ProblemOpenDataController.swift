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

    /// The rows a batch at a time, in the list's order (the id settles ties, so batches neither skip nor repeat).
    private func exportRows(_ req: Request) async throws -> OpenData.Batches<ExportRow> {
        let filters = try await ProblemFilters(req), db = req.db
        return { offset, limit in
            try await filters.query(on: db).with(\.$territory).range(offset..<(offset + limit)).all().map { problem in
                ExportRow(id: problem.idString, title: problem.title, description: problem.description,
                          category: problem.category.rawValue, status: problem.status.rawValue, territoryCode: problem.territory.code,
                          territory: problem.territory.nameKy, supports: problem.supportCount,
                          raisedOn: problem.createdAt.map(Formatters.isoDate) ?? "")
            }
        }
    }

    func exportCSV(req: Request) async throws -> Response {
        let rows = try await exportRows(req)
        return OpenData.streamedCSV(header: ["id", "title", "description", "category", "status", "territory_code", "territory", "supports", "raised_on"],
                                    filename: "demilge-problems.csv") { offset, limit in
            try await rows(offset, limit).map { [$0.id, $0.title, $0.description, $0.category, $0.status, $0.territoryCode, $0.territory, String($0.supports), $0.raisedOn] }
        }
    }

    func exportJSON(req: Request) async throws -> Response {
        OpenData.streamedJSON(try await exportRows(req))
    }
}
