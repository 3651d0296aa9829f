import DemilgeCore
import Fluent
import Foundation

/// The priority problems a project answers.
final class BudgetProjectProblem: Model, @unchecked Sendable {
    static let schema = "budget_project_problems"

    @ID(key: .id) var id: UUID?
    @Parent(key: "project_id") var project: BudgetProject
    @Parent(key: "problem_id") var problem: Problem

    init() {}
}
