import DemilgeCore
import Fluent
import SQLKit
import Vapor

/// A round with its projects (in ballot order) and its counted ballots, ready for the rules.
struct RoundData {
    let round: BudgetRound
    let projects: [BudgetProject]
    /// Counted ballots: online and imported ones, and paper ones from batches whose two entries agree.
    let ballots: [(id: UUID, channel: BudgetBallot.Channel, voter: UUID?, choices: [BallotChoice])]

    /// Which ballots to load: pages other than results stay quick on an imported city round of tens
    /// of thousands of ballots by loading none, or only the reader's own.
    enum Ballots { case all, none, of(UUID?) }

    /// `problems: false` leaves out the problems each project answers (a ballot being checked needs only costs).
    static func load(_ round: BudgetRound, on db: any Database, ballots wanted: Ballots = .all, problems: Bool = true) async throws -> RoundData {
        let projectQuery = BudgetProject.query(on: db).filter(\.$round.$id == (try round.requireID()))
        if problems { projectQuery.with(\.$problems) }
        let projects = try await projectQuery.all()
            .sorted { ($0.code.count, $0.code) < ($1.code.count, $1.code) }
        let position = Dictionary(firstValues: projects.enumerated().compactMap { index, project in project.id.map { ($0, index) } })
        let roundID = try round.requireID()
        let query = BudgetBallot.query(on: db).filter(\.$round.$id == roundID)
        // Choices are read by the round (a join), not by the list of ballot ids: a city round of 90 000 ballots would
        // pass more ids than a query may bind.
        let choiceQuery = BallotChoiceRecord.query(on: db).join(BudgetBallot.self, on: \BallotChoiceRecord.$ballot.$id == \BudgetBallot.$id)
            .filter(BudgetBallot.self, \.$round.$id == roundID)
        switch wanted {
        case .all: break
        case .none, .of(nil): return RoundData(round: round, projects: projects, ballots: [])
        case .of(let voter?):
            query.filter(\.$voter.$id == voter)
            choiceQuery.filter(BudgetBallot.self, \.$voter.$id == voter)
        }
        // A ballot counts once its voter confirmed their e-mail address (paper and imported ballots have no voter).
        let unconfirmed: Set<UUID>
        if case .all = wanted { unconfirmed = try await unconfirmedBallots(roundID, on: db) } else { unconfirmed = [] }
        var choices: [UUID: [BallotChoice]] = [:]
        for choice in try await choiceQuery.all() {
            if let index = position[choice.$project.id] { choices[choice.$ballot.id, default: []].append(BallotChoice(project: index, points: choice.points)) }
        }
        let ballots = try await query.all().compactMap { ballot -> (id: UUID, channel: BudgetBallot.Channel, voter: UUID?, choices: [BallotChoice])? in
            guard let id = ballot.id, !unconfirmed.contains(id), let channel = BudgetBallot.Channel(rawValue: ballot.channel) else { return nil }
            return (id: id, channel: channel, voter: ballot.$voter.id, choices: (choices[id] ?? []).sorted { $0.project < $1.project })
        }
        return RoundData(round: round, projects: projects, ballots: ballots)
    }

    /// The round's online ballots whose voter has not confirmed their e-mail address: stored, not counted.
    static func unconfirmedBallots(_ roundID: UUID, on db: any Database) async throws -> Set<UUID> {
        let ids = try await BudgetBallot.query(on: db).join(User.self, on: \BudgetBallot.$voter.$id == \User.$id)
            .filter(\.$round.$id == roundID).filter(User.self, \.$emailConfirmedMillis == nil).all(\.$id)
        return Set(ids)
    }

    /// Counted ballots per channel, without loading them (one grouped query).
    static func counts(_ roundID: UUID, on db: any Database) async throws -> [BudgetBallot.Channel: Int] {
        try await counts([roundID], on: db)
    }

    static func counts(_ roundIDs: [UUID], on db: any Database) async throws -> [BudgetBallot.Channel: Int] {
        guard let sql = db as? any SQLDatabase, !roundIDs.isEmpty else { return [:] }
        struct Row: Decodable { let channel: String; let count: Int }
        let ballots = BudgetBallot.schema
        let rows = try await sql.select().column(SQLColumn("channel", table: ballots)).column(SQLFunction("COUNT", args: SQLLiteral.all), as: "count")
            .from(ballots)
            .join(User.schema, method: SQLJoinMethod.left, on: SQLColumn("id", table: User.schema), .equal, SQLColumn("voter_id", table: ballots))
            .where(SQLColumn("round_id", table: ballots), .in, SQLBind.group(roundIDs))
            .where { $0.where(SQLColumn("voter_id", table: ballots), .is, SQLLiteral.null)
                .orWhere(SQLColumn("email_confirmed_millis", table: User.schema), .isNot, SQLLiteral.null) }
            .groupBy(SQLColumn("channel", table: ballots)).all(decoding: Row.self)
        var counts: [BudgetBallot.Channel: Int] = [:]
        for row in rows { if let channel = BudgetBallot.Channel(rawValue: row.channel) { counts[channel] = row.count } }
        return counts
    }

    var costs: [Int64] { projects.map(\.costTyiyn) }
    var codes: [String] { projects.map(\.code) }

    var instance: BudgetingInstance {
        RoundElection.instance(envelopeTyiyn: round.envelopeTyiyn, type: round.type, projectCodes: codes, costsTyiyn: costs,
                               ballots: ballots.map(\.choices))
    }

    func count(_ channel: BudgetBallot.Channel) -> Int { ballots.filter { $0.channel == channel }.count }

    /// Votes (or points) per project from one channel.
    func votes(_ channel: BudgetBallot.Channel) -> [Int] {
        var totals = Array(repeating: 0, count: projects.count)
        for ballot in ballots where ballot.channel == channel {
            for choice in ballot.choices { totals[choice.project] += round.type == .cumulative ? choice.points : 1 }
        }
        return totals
    }

    /// The pabulib file of the round: projects with votes and selection under its rule, anonymous ballots listed in
    /// `order` (a keyed hash of each ballot's id: nothing in it follows when a ballot was cast).
    func pabulib(territoryName: String, selected: Set<Int>, order: (UUID) -> Data) -> String {
        func clean(_ text: String) -> String { text.replacingOccurrences(of: ";", with: ",").replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " ") }
        let votes = zip(votes(.online), zip(votes(.paper), votes(.imported))).map { $0 + $1.0 + $1.1 }
        var lines = ["META", "key;value", "description;\(clean(round.title))", "country;Kyrgyzstan", "unit;\(clean(territoryName))",
                     "instance;\(round.opensOn.year)", "num_projects;\(projects.count)", "num_votes;\(ballots.count)",
                     "budget;\(Money(minorUnits: round.envelopeTyiyn).plain(.whenNeeded))",
                     "vote_type;\(round.type == .cumulative ? "cumulative" : "approval")", "rule;\(round.rule)",
                     "date_begin;\(round.opensOn)", "date_end;\(round.closesOn)", "currency;KGS", "language;ky"]
        if let minChoices = round.minChoices { lines.append("min_length;\(minChoices)") }
        if let maxChoices = round.maxChoices { lines.append("max_length;\(maxChoices)") }
        if let points = round.pointsTotal { lines.append("max_sum_points;\(points)") }
        lines += ["PROJECTS", "project_id;cost;votes;name;selected"]
        for (index, project) in projects.enumerated() {
            lines.append("\(project.code);\(Money(minorUnits: project.costTyiyn).plain(.whenNeeded));\(votes[index]);\(clean(project.title));\(selected.contains(index) ? 1 : 0)")
        }
        lines += ["VOTES", round.type == .cumulative ? "voter_id;vote;points" : "voter_id;vote"]
        let shuffled = ballots.map { (order($0.id), $0) }.sorted { $0.0.lexicographicallyPrecedes($1.0) }.map(\.1)
        for (number, ballot) in shuffled.enumerated() {
            let vote = ballot.choices.map { codes[$0.project] }.joined(separator: ",")
            lines.append(round.type == .cumulative ? "\(number + 1);\(vote);\(ballot.choices.map { String($0.points) }.joined(separator: ","))" : "\(number + 1);\(vote)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

