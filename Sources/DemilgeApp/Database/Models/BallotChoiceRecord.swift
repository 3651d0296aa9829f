import DemilgeCore
import Fluent
import Foundation

final class BallotChoiceRecord: Model, @unchecked Sendable {
    static let schema = "budget_ballot_choices"

    @ID(key: .id) var id: UUID?
    @Parent(key: "ballot_id") var ballot: BudgetBallot
    @Parent(key: "project_id") var project: BudgetProject
    @Field(key: "points") var points: Int

    init() {}

    init(ballotID: UUID, projectID: UUID, points: Int) {
        self.$ballot.id = ballotID
        self.$project.id = projectID
        self.points = points
    }
}
