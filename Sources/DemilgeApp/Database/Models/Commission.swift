import DemilgeCore
import Fluent
import Foundation

/// A community's commission: activists and officials who choose the main problems and plan.
final class Commission: Model, @unchecked Sendable {
    static let schema = "commissions"
    @ID(key: .id) var id: UUID?
    @Parent(key: "territory_id") var territory: Territory
    @Field(key: "name") var name: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Children(for: \.$commission) var members: [CommissionMember]
    @Children(for: \.$commission) var meetings: [CommissionMeeting]
    @Children(for: \.$commission) var measures: [ActionMeasure]
    init() {}
}

final class CommissionMember: Model, @unchecked Sendable {
    static let schema = "commission_members"
    @ID(key: .id) var id: UUID?
    @Parent(key: "commission_id") var commission: Commission
    @Field(key: "name") var name: String
    @Field(key: "affiliation") var affiliation: String
    @Field(key: "position") var position: String
    init() {}
}

final class CommissionMeeting: Model, @unchecked Sendable {
    static let schema = "commission_meetings"
    @ID(key: .id) var id: UUID?
    @Parent(key: "commission_id") var commission: Commission
    @Field(key: "held_on") var heldOn: String
    @Field(key: "present") var present: Int
    @Field(key: "minutes") var minutes: String
    @Children(for: \.$meeting) var decisions: [CommissionDecision]
    init() {}
}

/// A meeting's choice of a main problem, with the reason.
final class CommissionDecision: Model, @unchecked Sendable {
    static let schema = "commission_decisions"
    @ID(key: .id) var id: UUID?
    @Parent(key: "meeting_id") var meeting: CommissionMeeting
    @Parent(key: "problem_id") var problem: Problem
    @Field(key: "reason") var reason: String
    init() {}
}

/// One measure of a joint action plan (БАП) for a chosen problem.
final class ActionMeasure: Model, @unchecked Sendable {
    static let schema = "action_measures"
    @ID(key: .id) var id: UUID?
    @Parent(key: "commission_id") var commission: Commission
    @Parent(key: "problem_id") var problem: Problem
    @Field(key: "description") var description: String
    @Field(key: "responsible") var responsible: String
    @Field(key: "deadline") var deadline: String
    @Field(key: "planned_tyiyn") var plannedTyiyn: Int64
    @Field(key: "source") var source: String
    @Field(key: "status") var status: String
    @Field(key: "progress") var progress: Int
    @Field(key: "version") var version: Int
    init() {}

    var measureStatus: MeasureStatus { MeasureStatus(rawValue: status) ?? .planned }

    struct Snapshot: Codable {
        var description: String, responsible: String, deadline: String, plannedTyiyn: Int64, source: String, status: String, progress: Int
    }
    var snapshot: Snapshot {
        Snapshot(description: description, responsible: responsible, deadline: deadline, plannedTyiyn: plannedTyiyn, source: source, status: status, progress: progress)
    }
}
