import Foundation

/// An evaluation criterion of a call: how much it weighs (percent of the total) and its top score.
public struct GrantCriterion: Hashable, Sendable {
    public let key: String
    public let weightPercent: Int
    public let maxScore: Int

    public init(key: String, weightPercent: Int, maxScore: Int) {
        self.key = key
        self.weightPercent = weightPercent
        self.maxScore = maxScore
    }
}

public enum GrantReview {
    public enum Problem: Error, Equatable, Sendable {
        case weightsDoNotSumTo100(Int)
        case scoreOutOfRange(criterion: String, score: Int, max: Int)
        case missingScore(criterion: String)
    }

    public static func problems(criteria: [GrantCriterion]) -> [Problem] {
        let total = criteria.reduce(0) { $0 + $1.weightPercent }
        return total == 100 ? [] : [.weightsDoNotSumTo100(total)]
    }

    /// One reviewer's weighted score out of 100: Σ weight × score / max, exact.
    public static func weighted(_ scores: [String: Int], criteria: [GrantCriterion]) -> Result<Rational, Problem> {
        var total = Rational.zero
        for criterion in criteria {
            guard let score = scores[criterion.key] else { return .failure(.missingScore(criterion: criterion.key)) }
            guard (0...criterion.maxScore).contains(score), criterion.maxScore > 0 else {
                return .failure(.scoreOutOfRange(criterion: criterion.key, score: score, max: criterion.maxScore))
            }
            total = total + Rational(criterion.weightPercent * score) / Rational(criterion.maxScore)
        }
        return .success(total)
    }

    /// What the commission sees: the mean of the reviewers' weighted scores and their spread.
    public struct Aggregate: Equatable, Sendable {
        public let mean: Rational
        public let spread: Rational
        public let reviewers: Int
    }

    public static func aggregate(_ weightedScores: [Rational]) -> Aggregate? {
        guard let lowest = weightedScores.min(), let highest = weightedScores.max() else { return nil }
        let sum = weightedScores.reduce(Rational.zero, +)
        return Aggregate(mean: sum / Rational(weightedScores.count), spread: highest - lowest, reviewers: weightedScores.count)
    }
}

/// Who may see and score what during a call's review.
public enum ReviewAccess {
    public enum Conflict: String, Sendable {
        /// The reviewer belongs to the applicant organisation.
        case ownOrganisation = "own_organisation"
        /// The reviewer belongs to an organisation (an ayil okmotu, a mayor's office, a council) of the application's municipality.
        case ownMunicipality = "own_municipality"
        /// The reviewer said so.
        case declared
    }

    /// `territoryPath` is the application's place and everything above it.
    public static func conflict(reviewerOrganisations: Set<UUID>, reviewerOrganisationTerritories: Set<UUID>, declared: Bool,
                                applicant: UUID, territoryPath: [UUID]) -> Conflict? {
        if reviewerOrganisations.contains(applicant) { return .ownOrganisation }
        if let place = territoryPath.first, reviewerOrganisationTerritories.contains(place) { return .ownMunicipality }
        return declared ? .declared : nil
    }

    /// Scores stay hidden from every reviewer until all reviewers without a conflict have scored.
    public static func scoresRevealed(reviewers: Set<UUID>, conflicted: Set<UUID>, scored: Set<UUID>) -> Bool {
        let expected = reviewers.subtracting(conflicted)
        return !expected.isEmpty && expected.isSubset(of: scored)
    }
}

/// Funding a call's applications in order of score within its budget (pure; the reasons are words on the page).
public enum GrantRanking {
    public struct Candidate: Sendable {
        public let id: String
        public let score: Rational
        public let requestedTyiyn: Int64
        /// Earlier submissions win exact ties after the smaller request.
        public let submittedOrder: Int

        public init(id: String, score: Rational, requestedTyiyn: Int64, submittedOrder: Int) {
            self.id = id
            self.score = score
            self.requestedTyiyn = requestedTyiyn
            self.submittedOrder = submittedOrder
        }
    }

    public enum Decision: Equatable, Sendable {
        /// Funded; `leftAfter` is what remains of the budget after it.
        case funded(leftAfter: Int64)
        /// Did not fit in what was left when its turn came: on the reserve list, in this position.
        case reserve(position: Int, left: Int64)
        /// Below the call's minimum score.
        case belowThreshold
    }

    public struct Line: Equatable, Sendable {
        public let id: String
        public let rank: Int
        public let decision: Decision
        /// Tied on score with the candidate ranked just above or below it, and placed by request size or date.
        public let tieBroken: Bool
    }

    public static func rank(_ candidates: [Candidate], budgetTyiyn: Int64, minimumScore: Rational = .zero) -> [Line] {
        let ordered = candidates.sorted {
            if $0.score != $1.score { return $0.score > $1.score }
            if $0.requestedTyiyn != $1.requestedTyiyn { return $0.requestedTyiyn < $1.requestedTyiyn }
            return $0.submittedOrder < $1.submittedOrder
        }
        var left = budgetTyiyn
        var reserve = 0
        return ordered.enumerated().map { index, candidate in
            let tied = (index > 0 && ordered[index - 1].score == candidate.score) || (index + 1 < ordered.count && ordered[index + 1].score == candidate.score)
            let decision: Decision
            if candidate.score < minimumScore {
                decision = .belowThreshold
            } else if candidate.requestedTyiyn <= left {
                left -= candidate.requestedTyiyn
                decision = .funded(leftAfter: left)
            } else {
                reserve += 1
                decision = .reserve(position: reserve, left: left)
            }
            return Line(id: candidate.id, rank: index + 1, decision: decision, tieBroken: tied)
        }
    }
}
