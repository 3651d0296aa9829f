import DemilgeCore
import Fluent
import Foundation

enum CallStatus: String, StoredState {
    case draft, open, review, decided
    var catalogKey: String { "grants.call_status.\(rawValue)" }
    var next: CallStatus? {
        switch self {
        case .draft: .open
        case .open: .review
        case .review: .decided
        case .decided: nil
        }
    }
}

/// A call for proposals within a programme.
final class GrantCall: Model, @unchecked Sendable {
    static let schema = "grant_calls"

    struct Criterion: Codable, Equatable {
        var key: String
        var name: String
        var weight: Int
        var max: Int
        var core: GrantCriterion { GrantCriterion(key: key, weightPercent: weight, maxScore: max) }
    }

    @ID(key: .id) var id: UUID?
    @Parent(key: "programme_id") var programme: Programme
    @Field(key: "title") var title: String
    @Field(key: "description") var description: String
    @Field(key: "budget_tyiyn") var budgetTyiyn: Int64
    @Field(key: "min_grant_tyiyn") var minGrantTyiyn: Int64
    @Field(key: "max_grant_tyiyn") var maxGrantTyiyn: Int64
    @Field(key: "cofunding_percent") var coFundingPercent: Int
    @Field(key: "applicant_kinds") var applicantKindsText: String
    @Field(key: "territories") var territoriesJSON: JSONText<[UUID]>
    @Field(key: "deadline") var deadline: Day
    @Field(key: "documents") var documents: String
    @Field(key: "criteria") var criteriaJSON: JSONText<[Criterion]>
    @Field(key: "minimum_score") var minimumScore: Int
    @Field(key: "status") var status: CallStatus
    @Field(key: "version") var version: Int
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    var applicantKinds: Set<ApplicantKind> { Set(applicantKindsText.split(separator: ",").compactMap { ApplicantKind(rawValue: String($0)) }) }
    var territoryIDs: [UUID] {
        get { territoriesJSON.value }
        set { territoriesJSON = JSONText(newValue) }
    }
    var criteria: [Criterion] {
        get { criteriaJSON.value }
        set { criteriaJSON = JSONText(newValue) }
    }
    var terms: CallTerms {
        CallTerms(minimumGrantTyiyn: minGrantTyiyn, maximumGrantTyiyn: maxGrantTyiyn, coFundingPercent: coFundingPercent,
                  applicantKinds: applicantKinds, deadline: deadline)
    }

    struct Snapshot: Codable {
        var title: String, budgetTyiyn: Int64, minGrantTyiyn: Int64, maxGrantTyiyn: Int64, coFundingPercent: Int, applicantKinds: String
        var territories: String, deadline: Day, criteria: String, minimumScore: Int, status: CallStatus
    }
    var snapshot: Snapshot {
        Snapshot(title: title, budgetTyiyn: budgetTyiyn, minGrantTyiyn: minGrantTyiyn, maxGrantTyiyn: maxGrantTyiyn, coFundingPercent: coFundingPercent,
                 applicantKinds: applicantKindsText, territories: territoriesJSON.auditText, deadline: deadline, criteria: criteriaJSON.auditText, minimumScore: minimumScore, status: status)
    }
}
