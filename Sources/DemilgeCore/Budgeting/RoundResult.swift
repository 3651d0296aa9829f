import Crypto
import Foundation

/// A round's outcome as it is stored when voting ends: computed once from the counted ballots, read by every
/// results page and export afterwards (no rule ever runs for a reader). Projects are named by their ballot
/// codes and amounts are exact fractions written as text, so the record survives any reordering of rows.
public struct RoundResult: Codable, Equatable, Sendable {
    /// One project's verdict in words a page can render.
    public struct Verdict: Codable, Equatable, Sendable {
        public enum Kind: String, Codable, Sendable {
            case fundedInTurn, notFundedInTurn, fundedByEqualShares, fundedByCompletion, notFundedByEqualShares, noSupporters
        }
        public var kind: Kind
        public var left: String?
        public var cost: String?
        public var spent: String?
        public var share: String?
        public var supporters: Int?
        public var fullPayers: Int?
        /// The project (code) most of the supporters' money went to instead.
        public var mostOn: String?
    }

    /// `OutcomeMeasures` as kept with a result: exact rationals as text.
    public struct Fairness: Codable, Equatable, Sendable {
        public var voters: Int
        public var votersWithAProject: Int
        public var averageProjects: String
        public var giniProjects: String
        public var exhaustive: Bool
        /// nil: not checked (not approval ballots, or too large to check exactly).
        public var ejrUpToOne: Bool?

        public init(_ measures: OutcomeMeasures) {
            voters = measures.voters
            votersWithAProject = measures.votersWithAProject
            averageProjects = measures.averageProjects.description
            giniProjects = measures.giniProjects.description
            exhaustive = measures.exhaustive
            ejrUpToOne = measures.ejrUpToOne
        }
    }

    public struct Votes: Codable, Equatable, Sendable {
        /// Votes (or points on cumulative ballots) per channel: `online`, `paper`, `imported`.
        public var byChannel: [String: Int]
        public var total: Int { byChannel.values.saturatingSum() }
    }

    public var rule: String
    public var selected: [String]
    public var cost: String
    /// Present when the round was small enough to explain (see `explainedBallots`).
    public var verdicts: [String: Verdict]?
    public var perVoterBudget: String?
    /// The comparison rule's outcome; nil when it could not be computed within the bound.
    public var comparisonRule: String?
    public var comparisonSelected: [String]?
    public var comparisonCost: String?
    /// How fair each outcome is to the voters (absent from results counted before they were kept).
    public var measures: Fairness?
    public var comparisonMeasures: Fairness?
    public var votes: [String: Votes]
    public var ballots: [String: Int]
    /// SHA-256 of the inputs (envelope, ballot type, projects, every ballot in a canonical order, rule).
    public var inputsHash: String
    public var seconds: Double

    /// Equal-shares explanations replay every payment exactly; beyond this many ballots only the outcome is kept.
    public static let explainedBallots = 20_000
    /// Add-one's work: MES runs and the checks that let it skip the units of per-voter budget at which MES's purchases
    /// cannot change (`EqualSharesRun.certify`, each budget it works out counted). Every election of pabulib needs at
    /// most ~4 300 (Budapest 2024, 28,943 voters, 22,002 units); beyond this the rule is refused rather than left to
    /// run for minutes.
    public static let maximumAddOneRuns = 20_000

    public var exactCost: Rational { Rational(fraction: cost) ?? .zero }
    public var exactComparisonCost: Rational { comparisonCost.flatMap { Rational(fraction: $0) } ?? .zero }
    public var exactPerVoterBudget: Rational? { perVoterBudget.flatMap { Rational(fraction: $0) } }
}

/// What one voter's share paid for, stored beside the result for their own page.
public struct VoterShare: Codable, Equatable, Sendable {
    public var payments: [Payment]
    public struct Payment: Codable, Equatable, Sendable {
        public var project: String
        public var amount: String
        public var exactAmount: Rational { Rational(fraction: amount) ?? .zero }
    }
}

public enum RoundResultComputer {
    /// Computes the round's result under `rule` and `comparison`. `codes` name the instance's projects and
    /// `channels` the channel of each ballot, in the instance's order. Returns the record and, for explained
    /// equal-shares rounds, each ballot's payments by ballot index.
    /// Throws when the round's own rule cannot be computed within `RoundResult.maximumAddOneRuns`; a comparison that
    /// cannot is left out.
    public static func compute(_ instance: BudgetingInstance, rule: BudgetingRule, comparison: BudgetingRule,
                               codes: [String], channels: [String],
                               maximumAddOneRuns bound: Int = RoundResult.maximumAddOneRuns) throws(RuleTooLarge) -> (result: RoundResult, shares: [Int: VoterShare]) {
        let explained = instance.ballots.count <= RoundResult.explainedBallots
        let start = ContinuousClock.now
        let account = explained ? try OutcomeAccount.explain(instance, rule: rule, maximumAddOneRuns: bound) : nil
        let outcome: BudgetingOutcome
        if let account { outcome = account.outcome } else { outcome = try rule.boundedOutcome(instance, maximumAddOneRuns: bound) }
        let other = try? comparison.boundedOutcome(instance, maximumAddOneRuns: bound)
        let elapsed = ContinuousClock.now - start
        func code(_ index: Int) -> String { codes.indices.contains(index) ? codes[index] : String(index) }
        var votes: [String: RoundResult.Votes] = [:]
        for index in instance.projects.indices { votes[code(index)] = .init(byChannel: [:]) }
        var ballots: [String: Int] = [:]
        for (position, ballot) in instance.ballots.enumerated() {
            let channel = channels.indices.contains(position) ? channels[position] : "online"
            ballots[channel, default: 0] = ballots[channel, default: 0].saturatingAdding(1)
            for (choice, project) in ballot.projects.enumerated() {
                let weight = instance.voteType == .cumulative ? (ballot.points.indices.contains(choice) ? ballot.points[choice] : 0) : 1
                votes[code(project), default: .init(byChannel: [:])].byChannel[channel, default: 0] =
                    (votes[code(project)]?.byChannel[channel] ?? 0).saturatingAdding(weight)
            }
        }
        var shares: [Int: VoterShare] = [:]
        if let account {
            for (voter, payments) in account.payments.enumerated() where !payments.isEmpty {
                shares[voter] = VoterShare(payments: payments.map { .init(project: code($0.project), amount: $0.amount.description) })
            }
        }
        let verdicts = account.map { account in
            Dictionary(firstValues: account.verdicts.enumerated().map { (code($0.offset), Self.record($0.element, code: code)) })
        }
        let result = RoundResult(
            rule: rule.rawValue, selected: outcome.selected.map(code), cost: outcome.cost.description, verdicts: verdicts,
            perVoterBudget: account?.perVoterBudget?.description, comparisonRule: other == nil ? nil : comparison.rawValue,
            comparisonSelected: other?.selected.map(code), comparisonCost: other?.cost.description,
            measures: .init(OutcomeMeasures(instance, outcome)), comparisonMeasures: other.map { .init(OutcomeMeasures(instance, $0)) },
            votes: votes, ballots: ballots,
            inputsHash: inputsHash(instance, rule: rule, codes: codes), seconds: elapsed.seconds)
        return (result, shares)
    }

    static func record(_ verdict: OutcomeAccount.Verdict, code: (Int) -> String) -> RoundResult.Verdict {
        switch verdict {
        case .fundedInTurn(let left): .init(kind: .fundedInTurn, left: left.description)
        case .notFundedInTurn(let left): .init(kind: .notFundedInTurn, left: left.description)
        case let .fundedByEqualShares(supporters, fullPayers, share):
            .init(kind: .fundedByEqualShares, share: share.description, supporters: supporters, fullPayers: fullPayers)
        case .fundedByCompletion(let left): .init(kind: .fundedByCompletion, left: left.description)
        case let .notFundedByEqualShares(left, cost, spent, mostOn):
            .init(kind: .notFundedByEqualShares, left: left.description, cost: cost.description, spent: spent.description, mostOn: mostOn.map(code))
        case .noSupporters: .init(kind: .noSupporters)
        }
    }

    /// A fingerprint of everything the outcome depends on; the ballots are sorted first, so the order rows come
    /// back from the database in does not change it.
    public static func inputsHash(_ instance: BudgetingInstance, rule: BudgetingRule, codes: [String]) -> String {
        func code(_ index: Int) -> String { codes.indices.contains(index) ? codes[index] : String(index) }
        var text = "rule=\(rule.rawValue)\nbudget=\(instance.budget)\ntype=\(instance.voteType.rawValue)\n"
        for (index, project) in instance.projects.enumerated() { text += "project=\(code(index)):\(project.cost)\n" }
        let ballots = instance.ballots.map { ballot in
            zip(ballot.projects, ballot.points).map { "\(code($0.0)):\($0.1)" }.sorted().joined(separator: ",")
        }.sorted()
        for ballot in ballots { text += "ballot=\(ballot)\n" }
        return SHA256.hash(data: Data(text.utf8)).hexString
    }
}
