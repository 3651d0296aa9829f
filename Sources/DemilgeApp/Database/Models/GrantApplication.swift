import DemilgeCore
import Fluent
import Foundation

/// One organisation's proposal to a call, and everything that follows it to closure.
final class GrantApplication: Model, @unchecked Sendable {
    static let schema = "grant_applications"

    struct Activity: Codable, Equatable {
        var what: String
        var from: String
        var to: String
    }

    @ID(key: .id) var id: UUID?
    @Parent(key: "call_id") var call: GrantCall
    @Parent(key: "organisation_id") var organisation: Organisation
    @Parent(key: "territory_id") var territory: Territory
    @OptionalParent(key: "problem_id") var problem: Problem?
    /// The joint action plan's measure it carries out, when there is one (its problem is then the problem above).
    @OptionalParent(key: "measure_id") var measure: ActionMeasure?
    @Field(key: "title") var title: String
    @Field(key: "summary") var summary: String
    @Field(key: "goals") var goals: String
    @Field(key: "activities") var activitiesJSON: JSONText<[Activity]>
    @Field(key: "requested_tyiyn") var requestedTyiyn: Int64
    @Field(key: "total_tyiyn") var totalTyiyn: Int64
    @Field(key: "beneficiaries") var beneficiariesJSON: JSONText<Participants>
    @Field(key: "status") var status: GrantStatus
    @OptionalField(key: "status_reason") var statusReason: String?
    @OptionalField(key: "submitted_at") var submittedAt: Date?
    @OptionalParent(key: "created_by") var createdBy: User?
    @Field(key: "version") var version: Int
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Children(for: \.$application) var lines: [GrantBudgetLine]

    init() {}

    var activities: [Activity] {
        get { activitiesJSON.value }
        set { activitiesJSON = JSONText(newValue) }
    }
    var beneficiaries: Participants {
        get { beneficiariesJSON.value }
        set { beneficiariesJSON = JSONText(newValue) }
    }

    struct Snapshot: Codable {
        var title: String, organisationID: UUID, territoryID: UUID, problemID: UUID?, requestedTyiyn: Int64, totalTyiyn: Int64, status: GrantStatus
    }
    var snapshot: Snapshot {
        Snapshot(title: title, organisationID: $organisation.id, territoryID: $territory.id, problemID: $problem.id,
                 requestedTyiyn: requestedTyiyn, totalTyiyn: totalTyiyn, status: status)
    }
}
