import DemilgeCore
import Fluent
import Foundation

/// A participatory-budgeting round in a territory: an envelope, a voting window, a ballot and a rule.
final class BudgetRound: Model, @unchecked Sendable {
    static let schema = "budget_rounds"

    @ID(key: .id) var id: UUID?
    @Parent(key: "territory_id") var territory: Territory
    @Field(key: "title") var title: String
    @Field(key: "description") var description: String
    @Field(key: "envelope_tyiyn") var envelopeTyiyn: Int64
    @Field(key: "ballot_type") var type: BallotType
    @OptionalField(key: "min_choices") var minChoices: Int?
    @OptionalField(key: "max_choices") var maxChoices: Int?
    @OptionalField(key: "points_total") var pointsTotal: Int?
    @Field(key: "rule") var rule: BudgetingRule
    /// Why the commission chose the rule, published with the round (nil until someone writes it).
    @OptionalField(key: "rule_reason") var ruleReason: String?
    @Field(key: "status") var status: RoundStatus
    /// The voting window, ISO days, both included.
    @Field(key: "opens_on") var opensOn: Day
    @Field(key: "closes_on") var closesOn: Day
    /// Loaded from a pabulib file rather than voted here.
    @Field(key: "imported") var imported: Bool
    @Field(key: "eligibility") var eligibility: RoundEligibility
    @Field(key: "version") var version: Int
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Children(for: \.$round) var projects: [BudgetProject]

    init() {}

    init(territoryID: UUID, title: String, description: String, envelopeTyiyn: Int64, type: BallotType, rule: BudgetingRule,
         status: RoundStatus, window: (opens: Day, closes: Day), imported: Bool = false, eligibility: RoundEligibility = .verified) {
        self.$territory.id = territoryID
        self.title = title
        self.description = description
        self.envelopeTyiyn = envelopeTyiyn
        self.type = type
        self.rule = rule
        self.status = status
        self.opensOn = window.opens
        self.closesOn = window.closes
        self.imported = imported
        self.eligibility = eligibility
        self.version = 1
    }

    var design: BallotDesign {
        BallotDesign(type: type, envelopeTyiyn: envelopeTyiyn, minChoices: minChoices, maxChoices: maxChoices, pointsTotal: pointsTotal)
    }

    /// Paper ballots are taken while the round is in voting, from its first day (after it, until the round is
    /// counted, meetings held on the last day can still be entered; nobody sees a tally before then).
    func acceptsPaper(on day: Day) -> Bool { status.acceptsPaperBallots && opensOn <= day }

    /// Whether ballots are taken today: the round is in voting and today is within the window.
    func isOpen(on day: Day) -> Bool {
        status == .voting && opensOn <= day && day <= closesOn
    }

    struct Snapshot: Codable {
        var title: String, envelopeTyiyn: Int64, ballotType: BallotType, rule: BudgetingRule, status: RoundStatus, opensOn: Day, closesOn: Day
        var eligibility: RoundEligibility?
        var ruleReason: String?
    }
    var snapshot: Snapshot {
        Snapshot(title: title, envelopeTyiyn: envelopeTyiyn, ballotType: type, rule: rule, status: status, opensOn: opensOn, closesOn: closesOn,
                 eligibility: eligibility, ruleReason: ruleReason)
    }
}
