import DemilgeCore
import Fluent
import Foundation

/// One problem's place in one focus group's ranking; equal places are ties.
final class FocusGroupRanking: Model, @unchecked Sendable {
    static let schema = "focus_group_rankings"

    @ID(key: .id) var id: UUID?
    @Parent(key: "group_id") var group: FocusGroup
    @Parent(key: "problem_id") var problem: Problem
    @Field(key: "place") var place: Int

    init() {}

    init(groupID: UUID, problemID: UUID, place: Int) {
        $group.id = groupID
        $problem.id = problemID
        self.place = place
    }
}
