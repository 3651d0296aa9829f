import Foundation

/// A participatory-budgeting round's life: draft → projects → voting → counting → results published.
public enum RoundStatus: String, StoredState {
    case draft, projects, voting, counting, published

    public var catalogKey: String { "round.status.\(rawValue)" }

    /// The one step forward; a round never goes back (results once published stay published).
    public var next: RoundStatus? {
        switch self {
        case .draft: .projects
        case .projects: .voting
        case .voting: .counting
        case .counting: .published
        case .published: nil
        }
    }

    /// Projects can be added or edited before voting starts.
    public var acceptsProjects: Bool { self == .draft || self == .projects }
    /// Paper ballots from meetings are entered while the round is in voting: once it is counted its staff see
    /// the result, and nothing may be added after that.
    public var acceptsPaperBallots: Bool { self == .voting }
}

public enum BallotType: String, StoredState {
    /// Tick the projects you support (optionally at least / at most so many).
    case approval
    /// Choose projects whose total cost fits the envelope.
    case knapsack
    /// Share a fixed number of points among projects.
    case cumulative

    public var catalogKey: String { "round.ballot.\(rawValue)" }

    /// The rules a round of this ballot type may use: greedy and equal shares in their usual forms.
    public var rules: [BudgetingRule] {
        let common: [BudgetingRule] = [.greedyCostSat, .mesCostSatAddOneGreedy, .mesCostSat, .mesCostSatGreedy, .mesCostSatAddOne]
        return self == .cumulative ? [.greedyPoints, .mesAdditiveCardinalSat] + common : common
    }
}

/// A choice on a ballot: a project (by its position in the round) and the points given to it.
public struct BallotChoice: Hashable, Sendable {
    public let project: Int
    public let points: Int

    public init(project: Int, points: Int = 1) {
        self.project = project
        self.points = points
    }
}

/// Why a ballot cannot be accepted; the web layer words each in the voter's language.
public enum BallotProblem: Equatable, Sendable {
    case empty
    case tooFew(minimum: Int)
    case tooMany(maximum: Int)
    case overEnvelope(chosenTyiyn: Int64, envelopeTyiyn: Int64)
    case pointsNotDistributed(expected: Int, given: Int)
    case pointsNotPositive
    case duplicate
}

/// The rules of a round's ballot.
public struct BallotDesign: Sendable {
    /// Points a ballot may give one project as read from a form or paper (a round's own total is at most 1 000);
    /// outside this the entry is unreadable rather than a number to add up.
    public static let pointsRange = -1_000_000...1_000_000

    public let type: BallotType
    public let envelopeTyiyn: Int64
    public let minChoices: Int?
    public let maxChoices: Int?
    /// Cumulative ballots: the points each voter distributes.
    public let pointsTotal: Int?

    public init(type: BallotType, envelopeTyiyn: Int64, minChoices: Int? = nil, maxChoices: Int? = nil, pointsTotal: Int? = nil) {
        self.type = type
        self.envelopeTyiyn = envelopeTyiyn
        self.minChoices = minChoices
        self.maxChoices = maxChoices
        self.pointsTotal = pointsTotal
    }

    /// Every problem with a ballot, given the costs of the round's projects.
    public func problems(_ choices: [BallotChoice], costs: [Int64]) -> [BallotProblem] {
        var problems: [BallotProblem] = []
        if choices.isEmpty { return [.empty] }
        if Set(choices.map(\.project)).count != choices.count { problems.append(.duplicate) }
        if let minChoices, choices.count < minChoices { problems.append(.tooFew(minimum: minChoices)) }
        if let maxChoices, choices.count > maxChoices { problems.append(.tooMany(maximum: maxChoices)) }
        switch type {
        case .approval: break
        case .knapsack:
            let total = choices.map { costs.indices.contains($0.project) ? costs[$0.project] : 0 }.saturatingSum()
            if total > envelopeTyiyn { problems.append(.overEnvelope(chosenTyiyn: total, envelopeTyiyn: envelopeTyiyn)) }
        case .cumulative:
            if choices.contains(where: { $0.points <= 0 }) { problems.append(.pointsNotPositive) }
            let given = choices.map(\.points).saturatingSum()
            if let pointsTotal, given != pointsTotal { problems.append(.pointsNotDistributed(expected: pointsTotal, given: given)) }
        }
        return problems
    }
}

/// A round's projects and counted ballots as a budgeting election (amounts in сом, exact).
public enum RoundElection {
    public static func instance(envelopeTyiyn: Int64, type: BallotType, projectCodes: [String], costsTyiyn: [Int64], ballots: [[BallotChoice]]) -> BudgetingInstance {
        BudgetingInstance(
            voteType: type == .cumulative ? .cumulative : .approval,
            budget: Money(minorUnits: envelopeTyiyn).som,
            projects: zip(projectCodes, costsTyiyn).map { .init(id: $0, cost: Money(minorUnits: $1).som) },
            ballots: ballots.map { ballot in .init(projects: ballot.map(\.project), points: ballot.map(\.points)) })
    }
}
