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
    @Field(key: "ballot_type") var ballotType: String
    @OptionalField(key: "min_choices") var minChoices: Int?
    @OptionalField(key: "max_choices") var maxChoices: Int?
    @OptionalField(key: "points_total") var pointsTotal: Int?
    @Field(key: "rule") var rule: String
    @Field(key: "status") var status: String
    /// The voting window, ISO days, both included.
    @Field(key: "opens_on") var opensOn: String
    @Field(key: "closes_on") var closesOn: String
    /// Loaded from a pabulib file rather than voted here.
    @Field(key: "imported") var imported: Bool
    @Field(key: "version") var version: Int
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Children(for: \.$round) var projects: [BudgetProject]

    init() {}

    init(territoryID: UUID, title: String, description: String, envelopeTyiyn: Int64, type: BallotType, rule: BudgetingRule,
         status: RoundStatus, window: (opens: String, closes: String), imported: Bool = false) {
        self.$territory.id = territoryID
        self.title = title
        self.description = description
        self.envelopeTyiyn = envelopeTyiyn
        self.ballotType = type.rawValue
        self.rule = rule.rawValue
        self.status = status.rawValue
        self.opensOn = window.opens
        self.closesOn = window.closes
        self.imported = imported
        self.version = 1
    }

    var roundStatus: RoundStatus { RoundStatus(rawValue: status) ?? .draft }
    var type: BallotType { BallotType(rawValue: ballotType) ?? .approval }
    var outcomeRule: BudgetingRule { BudgetingRule(rawValue: rule) ?? .greedyCostSat }
    var design: BallotDesign {
        BallotDesign(type: type, envelopeTyiyn: envelopeTyiyn, minChoices: minChoices, maxChoices: maxChoices, pointsTotal: pointsTotal)
    }

    /// Paper ballots are taken while the round is in voting, from its first day (after it, until the round is
    /// counted, meetings held on the last day can still be entered; nobody sees a tally before then).
    func acceptsPaper(on day: String) -> Bool { roundStatus.acceptsPaperBallots && opensOn <= day }

    /// Whether ballots are taken today: the round is in voting and today is within the window.
    func isOpen(on day: String) -> Bool {
        roundStatus == .voting && opensOn <= day && day <= closesOn
    }

    struct Snapshot: Codable {
        var title: String, envelopeTyiyn: Int64, ballotType: String, rule: String, status: String, opensOn: String, closesOn: String
    }
    var snapshot: Snapshot {
        Snapshot(title: title, envelopeTyiyn: envelopeTyiyn, ballotType: ballotType, rule: rule, status: status, opensOn: opensOn, closesOn: closesOn)
    }
}

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

/// The priority problems a project answers.
final class BudgetProjectProblem: Model, @unchecked Sendable {
    static let schema = "budget_project_problems"

    @ID(key: .id) var id: UUID?
    @Parent(key: "project_id") var project: BudgetProject
    @Parent(key: "problem_id") var problem: Problem

    init() {}
}

/// A ballot: online (one per voter), from a paper batch, or imported from a pabulib file.
final class BudgetBallot: Model, @unchecked Sendable {
    static let schema = "budget_ballots"

    enum Channel: String { case online, paper, imported }

    @ID(key: .id) var id: UUID?
    @Parent(key: "round_id") var round: BudgetRound
    @OptionalParent(key: "voter_id") var voter: User?
    @Field(key: "channel") var channel: String
    @OptionalParent(key: "batch_id") var batch: PaperBatch?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    @Children(for: \.$ballot) var choices: [BallotChoiceRecord]

    init() {}

    init(roundID: UUID, voterID: UUID?, channel: Channel, batchID: UUID? = nil) {
        self.$round.id = roundID
        self.$voter.id = voterID
        self.channel = channel.rawValue
        self.$batch.id = batchID
    }
}

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

/// Paper ballots of one meeting, typed in twice; counted only when both entries agree.
final class PaperBatch: Model, @unchecked Sendable {
    static let schema = "paper_batches"

    enum Status: String { case awaitingSecond = "awaiting_second", mismatch, counted }

    @ID(key: .id) var id: UUID?
    @Parent(key: "round_id") var round: BudgetRound
    @Field(key: "label") var label: String
    @Field(key: "first_entry") var firstEntry: String
    @OptionalParent(key: "first_by") var firstBy: User?
    @OptionalField(key: "second_entry") var secondEntry: String?
    @OptionalParent(key: "second_by") var secondBy: User?
    @Field(key: "status") var status: String
    @Field(key: "version") var version: Int
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}
