import DemilgeCore
import Fluent
import Foundation

/// A user who acts for an organisation: applies in its name, and is conflicted when reviewing it.
final class OrganisationMember: Model, @unchecked Sendable {
    static let schema = "organisation_members"
    @ID(key: .id) var id: UUID?
    @Parent(key: "organisation_id") var organisation: Organisation
    @Parent(key: "user_id") var user: User
    init() {}
    init(organisationID: UUID, userID: UUID) {
        $organisation.id = organisationID
        $user.id = userID
    }
}

enum CallStatus: String, CaseIterable, Codable, Sendable {
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

/// JSON helpers for the few small lists kept in a text column (criteria, activities, counts by sex and age).
enum JSONColumn {
    static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? String(decoding: encoder.encode(value), as: UTF8.self)) ?? "null"
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String, or fallback: T) -> T {
        (try? JSONDecoder().decode(type, from: Data(text.utf8))) ?? fallback
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
    @Field(key: "territories") var territoriesJSON: String
    @Field(key: "deadline") var deadline: String
    @Field(key: "documents") var documents: String
    @Field(key: "criteria") var criteriaJSON: String
    @Field(key: "minimum_score") var minimumScore: Int
    @Field(key: "status") var status: String
    @Field(key: "version") var version: Int
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    var callStatus: CallStatus { CallStatus(rawValue: status) ?? .draft }
    var applicantKinds: Set<ApplicantKind> { Set(applicantKindsText.split(separator: ",").compactMap { ApplicantKind(rawValue: String($0)) }) }
    var territoryIDs: [UUID] {
        get { JSONColumn.decode([UUID].self, territoriesJSON, or: []) }
        set { territoriesJSON = JSONColumn.encode(newValue) }
    }
    var criteria: [Criterion] {
        get { JSONColumn.decode([Criterion].self, criteriaJSON, or: []) }
        set { criteriaJSON = JSONColumn.encode(newValue) }
    }
    var terms: CallTerms {
        CallTerms(minimumGrantTyiyn: minGrantTyiyn, maximumGrantTyiyn: maxGrantTyiyn, coFundingPercent: coFundingPercent,
                  applicantKinds: applicantKinds, deadline: deadline)
    }

    struct Snapshot: Codable {
        var title: String, budgetTyiyn: Int64, minGrantTyiyn: Int64, maxGrantTyiyn: Int64, coFundingPercent: Int, applicantKinds: String
        var territories: String, deadline: String, criteria: String, minimumScore: Int, status: String
    }
    var snapshot: Snapshot {
        Snapshot(title: title, budgetTyiyn: budgetTyiyn, minGrantTyiyn: minGrantTyiyn, maxGrantTyiyn: maxGrantTyiyn, coFundingPercent: coFundingPercent,
                 applicantKinds: applicantKindsText, territories: territoriesJSON, deadline: deadline, criteria: criteriaJSON, minimumScore: minimumScore, status: status)
    }
}

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
    @Field(key: "activities") var activitiesJSON: String
    @Field(key: "requested_tyiyn") var requestedTyiyn: Int64
    @Field(key: "total_tyiyn") var totalTyiyn: Int64
    @Field(key: "beneficiaries") var beneficiariesJSON: String
    @Field(key: "status") var status: String
    @OptionalField(key: "status_reason") var statusReason: String?
    @OptionalField(key: "submitted_at") var submittedAt: Date?
    @OptionalParent(key: "created_by") var createdBy: User?
    @Field(key: "version") var version: Int
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Children(for: \.$application) var lines: [GrantBudgetLine]

    init() {}

    var grantStatus: GrantStatus { GrantStatus(rawValue: status) ?? .draft }
    var activities: [Activity] {
        get { JSONColumn.decode([Activity].self, activitiesJSON, or: []) }
        set { activitiesJSON = JSONColumn.encode(newValue) }
    }
    var beneficiaries: Participants {
        get { JSONColumn.decode(Participants.self, beneficiariesJSON, or: Participants()) }
        set { beneficiariesJSON = JSONColumn.encode(newValue) }
    }

    struct Snapshot: Codable {
        var title: String, organisationID: UUID, territoryID: UUID, problemID: UUID?, requestedTyiyn: Int64, totalTyiyn: Int64, status: String
    }
    var snapshot: Snapshot {
        Snapshot(title: title, organisationID: $organisation.id, territoryID: $territory.id, problemID: $problem.id,
                 requestedTyiyn: requestedTyiyn, totalTyiyn: totalTyiyn, status: status)
    }
}

final class GrantBudgetLine: Model, @unchecked Sendable {
    static let schema = "grant_budget_lines"
    @ID(key: .id) var id: UUID?
    @Parent(key: "application_id") var application: GrantApplication
    @Field(key: "position") var position: Int
    @Field(key: "item") var item: String
    @Field(key: "source") var source: String
    @Field(key: "amount_tyiyn") var amountTyiyn: Int64
    /// What the final report says was spent on this line.
    @OptionalField(key: "spent_tyiyn") var spentTyiyn: Int64?
    init() {}
    init(applicationID: UUID, position: Int, line: BudgetLine) {
        $application.id = applicationID
        self.position = position
        item = line.item
        source = line.source.rawValue
        amountTyiyn = line.amountTyiyn
    }
    var core: BudgetLine { BudgetLine(item: item, source: FundingSource(rawValue: source) ?? .other, amountTyiyn: amountTyiyn) }
}

/// One step of an application's life, shown as its public timeline.
final class GrantTransition: Model, @unchecked Sendable {
    static let schema = "grant_transitions"
    @ID(key: .id) var id: UUID?
    @Parent(key: "application_id") var application: GrantApplication
    @OptionalField(key: "from_status") var from: String?
    @Field(key: "to_status") var to: String
    @OptionalField(key: "reason") var reason: String?
    @Field(key: "by_name") var byName: String
    @Field(key: "at") var at: Date
    init() {}
    init(applicationID: UUID, from: GrantStatus?, to: GrantStatus, reason: String?, byName: String, at: Date = Date()) {
        $application.id = applicationID
        self.from = from?.rawValue
        self.to = to.rawValue
        self.reason = reason
        self.byName = byName
        self.at = at
    }
}

/// A commission member assigned to review a call.
final class GrantReviewer: Model, @unchecked Sendable {
    static let schema = "grant_reviewers"
    @ID(key: .id) var id: UUID?
    @Parent(key: "call_id") var call: GrantCall
    @Parent(key: "user_id") var user: User
    /// When the reviewer declared their conflicts of interest; nothing can be scored before.
    @OptionalField(key: "declared_at") var declaredAt: Date?
    init() {}
    init(callID: UUID, userID: UUID) {
        $call.id = callID
        $user.id = userID
    }
}

/// A reviewer's declared conflict of interest with one application. It can be declared at any time before the
/// reviewer scores it, and withdrawn with a reason (the row stays, with when and why, for the audit).
final class GrantConflict: Model, @unchecked Sendable {
    static let schema = "grant_conflicts"
    @ID(key: .id) var id: UUID?
    @Parent(key: "reviewer_id") var reviewer: GrantReviewer
    @Parent(key: "application_id") var application: GrantApplication
    @Field(key: "reason") var reason: String
    @OptionalField(key: "withdrawn_at") var withdrawnAt: Date?
    @OptionalField(key: "withdrawal_reason") var withdrawalReason: String?
    init() {}
    init(reviewerID: UUID, applicationID: UUID, reason: String) {
        $reviewer.id = reviewerID
        $application.id = applicationID
        self.reason = reason
    }
}

/// One reviewer's scores (and a comment per criterion) for one application.
final class GrantScoreSheet: Model, @unchecked Sendable {
    static let schema = "grant_score_sheets"
    @ID(key: .id) var id: UUID?
    @Parent(key: "reviewer_id") var reviewer: GrantReviewer
    @Parent(key: "application_id") var application: GrantApplication
    @Field(key: "scores") var scoresJSON: String
    @Field(key: "comments") var commentsJSON: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    init() {}
    var scores: [String: Int] {
        get { JSONColumn.decode([String: Int].self, scoresJSON, or: [:]) }
        set { scoresJSON = JSONColumn.encode(newValue) }
    }
    var comments: [String: String] {
        get { JSONColumn.decode([String: String].self, commentsJSON, or: [:]) }
        set { commentsJSON = JSONColumn.encode(newValue) }
    }
}

final class GrantContract: Model, @unchecked Sendable {
    static let schema = "grant_contracts"
    @ID(key: .id) var id: UUID?
    @Parent(key: "application_id") var application: GrantApplication
    @Field(key: "number") var number: String
    @Field(key: "signed_on") var signedOn: String
    @Field(key: "starts_on") var startsOn: String
    @Field(key: "ends_on") var endsOn: String
    @Field(key: "amount_tyiyn") var amountTyiyn: Int64
    @Field(key: "local_budget_tyiyn") var localBudgetTyiyn: Int64
    @Field(key: "community_tyiyn") var communityTyiyn: Int64
    @Field(key: "other_tyiyn") var otherTyiyn: Int64
    @Children(for: \.$contract) var tranches: [GrantTranche]
    init() {}
    var commitments: [FundingSource: Int64] {
        [.grant: amountTyiyn, .localBudget: localBudgetTyiyn, .community: communityTyiyn, .other: otherTyiyn]
    }
}

final class GrantTranche: Model, @unchecked Sendable {
    static let schema = "grant_tranches"
    @ID(key: .id) var id: UUID?
    @Parent(key: "contract_id") var contract: GrantContract
    @Field(key: "number") var number: Int
    @Field(key: "planned_on") var plannedOn: String
    @Field(key: "amount_tyiyn") var amountTyiyn: Int64
    @Field(key: "condition") var condition: String
    init() {}
}

/// Money paid in: a grant disbursement against a tranche, or a co-funding contribution (no tranche).
final class GrantPayment: Model, @unchecked Sendable {
    static let schema = "grant_payments"
    @ID(key: .id) var id: UUID?
    @Parent(key: "application_id") var application: GrantApplication
    @OptionalParent(key: "tranche_id") var tranche: GrantTranche?
    @Field(key: "source") var source: String
    @Field(key: "paid_on") var paidOn: String
    @Field(key: "amount_tyiyn") var amountTyiyn: Int64
    @Field(key: "reference") var reference: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    init() {}
}

final class GrantMilestone: Model, @unchecked Sendable {
    static let schema = "grant_milestones"
    @ID(key: .id) var id: UUID?
    @Parent(key: "application_id") var application: GrantApplication
    @Field(key: "title") var title: String
    @Field(key: "due_on") var dueOn: String
    @Field(key: "progress") var progress: Int
    @Field(key: "note") var note: String
    @Field(key: "version") var version: Int
    init() {}
}

/// A visit of the joint monitoring and evaluation group: members from the community and the council.
final class GrantVisit: Model, @unchecked Sendable {
    static let schema = "grant_visits"
    @ID(key: .id) var id: UUID?
    @Parent(key: "application_id") var application: GrantApplication
    @Field(key: "visited_on") var visitedOn: String
    @Field(key: "community_members") var communityMembers: String
    @Field(key: "council_members") var councilMembers: String
    @Field(key: "findings") var findings: String
    @Field(key: "rating") var rating: Int
    @Field(key: "photos") var photosJSON: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    init() {}
    var photos: [String] {
        get { JSONColumn.decode([String].self, photosJSON, or: []) }
        set { photosJSON = JSONColumn.encode(newValue) }
    }
}

final class GrantReport: Model, @unchecked Sendable {
    static let schema = "grant_reports"
    @ID(key: .id) var id: UUID?
    @Parent(key: "application_id") var application: GrantApplication
    @Field(key: "submitted_on") var submittedOn: String
    @Field(key: "summary") var summary: String
    @Field(key: "reached") var reachedJSON: String
    init() {}
    var reached: Participants {
        get { JSONColumn.decode(Participants.self, reachedJSON, or: Participants()) }
        set { reachedJSON = JSONColumn.encode(newValue) }
    }
}
