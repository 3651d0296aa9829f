import DemilgeCore
import Fluent
import Vapor

/// A commission's action plan as CSV and JSON.
struct CommissionOpenDataController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("commissions", ":id", "plan.csv", use: planCSV)
        routes.get("commissions", ":id", "plan.json", use: planJSON)
    }

    struct MeasureExport: Content {
        let problemID: String, problem: String, measure: String, responsible: String, deadline: String
        let plannedTyiyn: Int64, plannedSom: String, source: String, status: String, progress: Int, overdue: Bool
    }

    private func planExports(_ req: Request) async throws -> [MeasureExport] {
        let commission = try await CommissionController.load(req)
        let today = Day.today()
        return commission.measures.sorted { $0.deadline < $1.deadline }.map { m in
            MeasureExport(problemID: m.problem.idString, problem: m.problem.title, measure: m.description, responsible: m.responsible,
                          deadline: m.deadline.description, plannedTyiyn: m.plannedTyiyn, plannedSom: Money(minorUnits: m.plannedTyiyn).plain(.always),
                          source: m.source.rawValue, status: m.status.rawValue, progress: m.progress,
                          overdue: ActionPlanRules.isOverdue(deadline: m.deadline, status: m.status, today: today))
        }
    }

    func planCSV(req: Request) async throws -> Response {
        let rows = try await planExports(req)
        return OpenData.csv(CSV.write(header: ["problem_id", "problem", "measure", "responsible", "deadline", "planned_som", "source", "status", "progress", "overdue"],
                                      rows: rows.map { [$0.problemID, $0.problem, $0.measure, $0.responsible, $0.deadline, $0.plannedSom, $0.source, $0.status, String($0.progress), $0.overdue ? "yes" : "no"] }),
                            filename: "demilge-action-plan.csv")
    }

    func planJSON(req: Request) async throws -> Response {
        try await OpenData.json(try await planExports(req), on: req)
    }
}
