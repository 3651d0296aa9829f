import Foundation

/// Paper ballots typed in from a village meeting, one ballot per line: project numbers separated by
/// commas (`1, 4, 5`), with points for cumulative ballots (`1:6, 4:4`). Each batch is typed twice,
/// by preference by two people; only a batch whose two entries agree line by line is counted.
public enum PaperBallots {
    public enum LineProblem: Equatable, Sendable {
        case unknownProject(String)
        case unreadable(String)
        case ballot(BallotProblem)
    }

    public struct LineError: Equatable, Sendable {
        public let line: Int
        public let problem: LineProblem
    }

    /// Reads one entry of a batch. `codes` are the round's project numbers in project order.
    public static func read(_ text: String, codes: [String], design: BallotDesign, costs: [Int64]) -> (ballots: [[BallotChoice]], errors: [LineError]) {
        let index = Dictionary(codes.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        var ballots: [[BallotChoice]] = []
        var errors: [LineError] = []
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        for (number, line) in lines.enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            var choices: [BallotChoice] = []
            var problem: LineProblem? = nil
            for item in trimmed.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
                let parts = item.split(separator: ":", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
                guard let project = index[parts[0]] else { problem = .unknownProject(parts[0]); break }
                if design.type == .cumulative {
                    guard parts.count == 2, let points = BoundedInt.parse(parts[1], in: BallotDesign.pointsRange) else { problem = .unreadable(item); break }
                    choices.append(BallotChoice(project: project, points: points))
                } else {
                    guard parts.count == 1 else { problem = .unreadable(item); break }
                    choices.append(BallotChoice(project: project))
                }
            }
            if problem == nil, let first = design.problems(choices, costs: costs).first { problem = .ballot(first) }
            if let problem { errors.append(LineError(line: number + 1, problem: problem)) } else { ballots.append(choices) }
        }
        return (ballots, errors)
    }

    /// Where two entries of the same batch disagree: the ballot number and both readings.
    public struct Mismatch: Equatable, Sendable {
        public let ballot: Int
        public let first: [BallotChoice]?
        public let second: [BallotChoice]?
    }

    /// Ballots are compared in order, each as a set of choices (the order of numbers on a line does not matter).
    public static func mismatches(_ first: [[BallotChoice]], _ second: [[BallotChoice]]) -> [Mismatch] {
        (0..<max(first.count, second.count)).compactMap { i in
            let a = i < first.count ? first[i] : nil
            let b = i < second.count ? second[i] : nil
            return a.map(Set.init) == b.map(Set.init) ? nil : Mismatch(ballot: i + 1, first: a, second: b)
        }
    }

    /// A ballot written back in the entry syntax, for showing a mismatch.
    public static func format(_ ballot: [BallotChoice]?, codes: [String], type: BallotType) -> String {
        guard let ballot else { return "—" }
        return ballot.map { type == .cumulative ? "\(codes[$0.project]):\($0.points)" : codes[$0.project] }.joined(separator: ", ")
    }
}
