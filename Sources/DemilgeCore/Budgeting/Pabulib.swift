import Foundation

/// A participatory-budgeting election: projects with exact costs, a budget, and one ballot per voter.
public struct BudgetingInstance: Sendable {
    public enum VoteType: String, Sendable { case approval, cumulative, ordinal, choose1 = "choose-1", scoring }

    public struct Project: Sendable {
        public let id: String
        public let cost: Rational
        /// The `name` column, when the file has one.
        public var name: String? = nil
    }

    /// A ballot: the projects it names (indices into `projects`) with their points (1 for approval).
    public struct Ballot: Sendable {
        public let projects: [Int]
        public let points: [Int]
    }

    public var voteType: VoteType
    public var budget: Rational
    public var projects: [Project]
    public var ballots: [Ballot]
    public var meta: [String: String]

    public init(voteType: VoteType, budget: Rational, projects: [Project], ballots: [Ballot], meta: [String: String] = [:]) {
        self.voteType = voteType
        self.budget = budget
        self.projects = projects
        self.ballots = ballots
        self.meta = meta
    }
}

/// Reads the pabulib `.pb` format (META, PROJECTS and VOTES sections of `;`-separated lines) as
/// pabutools 1.2.3 does; rejects malformed files with the line number at fault.
public enum PabulibReader {
    public struct ParseError: Error, Equatable, CustomStringConvertible, Sendable {
        public let line: Int
        public let reason: String
        public var description: String { "line \(line): \(reason)" }

        public init(line: Int, reason: String) {
            self.line = line
            self.reason = reason
        }
    }

    /// What a file may hold. Generous for every real election in pabulib (the largest has a few hundred projects
    /// and ~90 000 ballots) and small enough that reading one costs a bounded, linear amount of work.
    public struct Limits: Sendable {
        public var projects: Int
        public var ballots: Int
        public var lineLength: Int
        public var points: Int

        public init(projects: Int = 2_000, ballots: Int = 200_000, lineLength: Int = 100_000, points: Int = 1_000_000) {
            self.projects = projects
            self.ballots = ballots
            self.lineLength = lineLength
            self.points = points
        }

        public static let standard = Limits()
    }

    public static func parse(_ text: String, limits: Limits = .standard) throws(ParseError) -> BudgetingInstance {
        enum Section { case none, meta, projects, votes }
        var section = Section.none
        var header: [String] = []
        var meta: [String: String] = [:]
        var projects: [BudgetingInstance.Project] = []
        var index = ExactIds()
        var rawVotes: [(line: Int, fields: [String])] = []
        var lineNumber = 0
        // "\r\n" is one Character in Swift: split on any line break, not on "\n".
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNumber += 1
            guard line.utf8.count <= limits.lineLength else {
                throw ParseError(line: lineNumber, reason: "line longer than \(limits.lineLength) bytes")
            }
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            let fields = split(line)
            let first = fields[0].trimmingCharacters(in: .whitespaces).uppercased()
            if fields.count == 1, ["META", "PROJECTS", "VOTES"].contains(first) {
                section = first == "META" ? .meta : first == "PROJECTS" ? .projects : .votes
                header = []
                continue
            }
            if header.isEmpty, section != .none {
                header = fields.map { $0.trimmingCharacters(in: .whitespaces) }
                continue
            }
            switch section {
            case .none:
                throw ParseError(line: lineNumber, reason: "text before the META section")
            case .meta:
                guard fields.count >= 2 else { throw ParseError(line: lineNumber, reason: "META line needs key;value") }
                meta[fields[0].trimmingCharacters(in: .whitespaces)] = fields[1].trimmingCharacters(in: .whitespaces)
            case .projects:
                guard let idColumn = header.firstIndex(of: "project_id"), let costColumn = header.firstIndex(of: "cost") else {
                    throw ParseError(line: lineNumber - 1, reason: "PROJECTS header needs project_id and cost")
                }
                guard fields.count > max(idColumn, costColumn) else { throw ParseError(line: lineNumber, reason: "too few columns") }
                let id = fields[idColumn].trimmingCharacters(in: .whitespaces)
                guard !id.isEmpty else { throw ParseError(line: lineNumber, reason: "empty project_id") }
                guard let cost = Rational(decimal: fields[costColumn]), cost >= .zero else {
                    throw ParseError(line: lineNumber, reason: "cost is not a number: \(fields[costColumn])")
                }
                guard index[id] == nil else { throw ParseError(line: lineNumber, reason: "duplicate project_id \(id)") }
                guard projects.count < limits.projects else { throw ParseError(line: lineNumber, reason: "more than \(limits.projects) projects") }
                index.insert(id, at: projects.count)
                let name = header.firstIndex(of: "name").flatMap { $0 < fields.count ? fields[$0].trimmingCharacters(in: .whitespaces) : nil }
                projects.append(.init(id: id, cost: cost, name: name?.isEmpty == false ? name : nil))
            case .votes:
                guard rawVotes.count < limits.ballots else { throw ParseError(line: lineNumber, reason: "more than \(limits.ballots) ballots") }
                rawVotes.append((lineNumber, fields))
            }
        }
        guard let budgetText = meta["budget"] else { throw ParseError(line: 1, reason: "META has no budget") }
        guard let budget = Rational(decimal: budgetText) else { throw ParseError(line: 1, reason: "budget is not a number: \(budgetText)") }
        let voteTypeText = (meta["vote_type"] ?? "approval").lowercased()
        guard let voteType = BudgetingInstance.VoteType(rawValue: voteTypeText) else {
            throw ParseError(line: 1, reason: "unknown vote_type: \(voteTypeText)")
        }
        var ballots: [BudgetingInstance.Ballot] = []
        ballots.reserveCapacity(rawVotes.count)
        if !rawVotes.isEmpty {
            // The header was the first VOTES line; find its columns again.
            let voteHeader = header
            guard let voteColumn = voteHeader.firstIndex(of: "vote") else { throw ParseError(line: rawVotes[0].line - 1, reason: "VOTES header needs a vote column") }
            let pointsColumn = voteHeader.firstIndex(of: "points")
            for (line, fields) in rawVotes {
                let vote = fields.count > voteColumn ? fields[voteColumn] : ""
                let ids = vote.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                var values: [Int]? = nil
                if voteType == .cumulative || voteType == .scoring, let pointsColumn, fields.count > pointsColumn {
                    let read = fields[pointsColumn].split(separator: ",").map { BoundedInt.parse($0, in: 0...limits.points) }
                    let bounded = read.compactMap { $0 }
                    guard read.count == ids.count, bounded.count == read.count else {
                        throw ParseError(line: line, reason: "points do not match the vote (whole numbers 0…\(limits.points), one per project)")
                    }
                    values = bounded
                }
                // One pass: a project named twice keeps the points of its first mention.
                var chosen: [Int] = [], points: [Int] = []
                chosen.reserveCapacity(ids.count)
                points.reserveCapacity(ids.count)
                var seen = Set<Int>()
                for (position, id) in ids.enumerated() {
                    guard let project = index[id] else { throw ParseError(line: line, reason: "vote names unknown project \(id)") }
                    if seen.insert(project).inserted {
                        chosen.append(project)
                        points.append(values?[position] ?? 1)
                    }
                }
                ballots.append(.init(projects: chosen, points: points))
            }
        }
        return BudgetingInstance(voteType: voteType, budget: budget, projects: projects, ballots: ballots, meta: meta)
    }

    /// Project ids matched scalar by scalar, as Python compares strings: Swift's `==` would take "é" and "e\u{301}"
    /// (or ids differing only in normalisation) for one id, where pabutools sees two projects.
    struct ExactIds {
        private var byText: [String: [(id: String, index: Int)]] = [:]

        subscript(id: String) -> Int? {
            byText[id]?.first { $0.id.unicodeScalars.elementsEqual(id.unicodeScalars) }?.index
        }

        mutating func insert(_ id: String, at index: Int) {
            byText[id, default: []].append((id, index))
        }
    }

    /// Splits a line on `;`, honouring double quotes as Python's csv module does.
    static func split(_ line: Substring) -> [String] {
        guard line.contains("\"") else { return line.split(separator: ";", omittingEmptySubsequences: false).map(String.init) }
        var fields: [String] = []
        var field = ""
        var quoted = false
        var iterator = line.makeIterator()
        while let character = iterator.next() {
            if quoted {
                if character == "\"" { quoted = false } else { field.append(character) }
            } else if character == "\"" && field.isEmpty {
                quoted = true
            } else if character == ";" {
                fields.append(field)
                field = ""
            } else {
                field.append(character)
            }
        }
        fields.append(field)
        return fields
    }
}
