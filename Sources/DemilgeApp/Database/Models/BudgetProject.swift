import DemilgeCore
import Fluent
import Foundation

final class BudgetProject: Model, @unchecked Sendable {
    static let schema = "budget_projects"

    @ID(key: .id) var id: UUID?
    @Parent(key: "round_id") var round: BudgetRound
    /// The project's number on the ballot and in pabulib files.
    @Field(key: "code") var code: String
    @Field(key: "title") var title: String
    @Field(key: "description") var description: String
    @Field(key: "cost_tyiyn") var costTyiyn: Int64
    @Siblings(through: BudgetProjectProblem.self, from: \.$project, to: \.$problem) var problems: [Problem]

    init() {}
}
