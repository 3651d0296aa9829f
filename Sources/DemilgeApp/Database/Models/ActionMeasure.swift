import DemilgeCore
import Fluent
import Foundation

/// One measure of a joint action plan (БАП) for a chosen problem.
final class ActionMeasure: Model, @unchecked Sendable {
    static let schema = "action_measures"
    @ID(key: .id) var id: UUID?
    @Parent(key: "commission_id") var commission: Commission
    @Parent(key: "problem_id") var problem: Problem
    @Field(key: "description") var description: String
    @Field(key: "responsible") var responsible: String
    @Field(key: "deadline") var deadline: Day
    @Field(key: "planned_tyiyn") var plannedTyiyn: Int64
    @Field(key: "source") var source: FundingSource
    @Field(key: "status") var status: MeasureStatus
    @Field(key: "progress") var progress: Int
    @Field(key: "version") var version: Int
    init() {}


    struct Snapshot: Codable {
        var description: String, responsible: String, deadline: Day, plannedTyiyn: Int64, source: FundingSource, status: MeasureStatus, progress: Int
    }
    var snapshot: Snapshot {
        Snapshot(description: description, responsible: responsible, deadline: deadline, plannedTyiyn: plannedTyiyn, source: source, status: status, progress: progress)
    }
}
