import DemilgeCore
import Fluent
import Vapor

extension NationalData {
    /// How many ballots each round gets: the first gets the largest share (like Łódź), the others share the rest
    /// unevenly; no round has more ballots than there are residents to cast them.
    mutating func ballotCounts() -> [Int] {
        let rounds = scale.rounds, largest = min(scale.largestRound, residents.count)
        let weights = (1..<rounds).map { _ in random.int(in: 1...100) * random.int(in: 1...100) }
        let total = max(1, weights.reduce(0, +)), rest = max(0, scale.ballots - largest)
        return [largest] + weights.map { min(residents.count, max(5, rest * $0 / total)) }
    }

    /// Participatory-budgeting rounds in municipalities: projects, ballots online (one per resident) and on paper,
    /// and for every round past voting its result, counted and stored as when voting closes.
    mutating func rounds() async throws {
        var rounds = BulkWriter<BudgetRound>(app)
        var projects = BulkWriter<BudgetProject>(app)
        var ballots = BulkWriter<BudgetBallot>(app)
        var choices = BulkWriter<BallotChoiceRecord>(app)
        var counted: [BudgetRound] = []
        let counts = ballotCounts()
        let totalBallots = counts.reduce(0, +)
        // A round still voting keeps a fixed window, so the same seed gives the same data whatever the day.
        let openWindow = (Day(year: 2026, month: 11, day: 20) ?? firstDay, Day(year: 2027, month: 6, day: 30) ?? firstDay)
        for (n, ballotCount) in counts.enumerated() {
            let municipality = random.pick(municipalities)
            guard let territoryID = municipality.id else { continue }
            let voting = n % 10 == 9
            let opens = day()
            let envelope = Int64(random.int(in: 20...200)) * 10_000_000
            let small = ballotCount <= 3_000
            let rule: BudgetingRule = small && n % 4 == 1 ? .mesCostSatGreedy : .greedyCostSat
            let round = BudgetRound(territoryID: territoryID, title: "\(municipality.nameKy): коомдук бюджет \(opens.year)",
                                    description: "Тургундар долбоорлорду тандайт.", envelopeTyiyn: envelope, type: .approval, rule: rule,
                                    status: voting ? .voting : .published, window: voting ? openWindow : (opens, opens.adding(days: 20)),
                                    eligibility: .selfDeclared)
            let roundID = random.uuid()
            round.id = roundID
            rounds.add(round)
            try await audit.record("round.create", "round", roundID, at: opens.noon)
            let projectIDs = (0..<random.int(in: 6...10)).map { _ in random.uuid() }
            for (index, id) in projectIDs.enumerated() {
                let project = BudgetProject()
                project.id = id
                project.$round.id = roundID
                project.code = String(index + 1)
                project.title = random.pick(NationalNames.projectKinds)
                project.description = ""
                project.costTyiyn = envelope * Int64(random.int(in: 10...45)) / 100
                projects.add(project)
            }
            let first = random.int(in: 0...(residents.count - 1))
            for k in 0..<ballotCount {
                let online = k % 10 != 0
                let ballot = BudgetBallot(roundID: roundID, voterID: online ? residents[(first + k) % residents.count] : nil, channel: online ? .online : .paper)
                let ballotID = random.uuid()
                ballot.id = ballotID
                ballots.add(ballot)
                var chosen = Set<Int>()
                for _ in 0..<random.int(in: 1...4) { chosen.insert(random.skewed(projectIDs.count)) }
                for index in chosen.sorted() { choices.add(BallotChoiceRecord(ballotID: ballotID, projectID: projectIDs[index], points: 1)) }
                if online { try await audit.record("ballot.cast", "round", roundID, at: opens.adding(days: k % 20).noon) }
                if ballots.isFull || choices.isFull {
                    try await rounds.flush(); try await projects.flush(); try await ballots.flush(); try await choices.flush()
                    progress("ballots", ballots.written, totalBallots)
                }
            }
            if !voting { counted.append(round) }
        }
        try await rounds.flush(); try await projects.flush(); try await ballots.flush(); try await choices.flush()
        for (n, round) in counted.enumerated() {
            try await RoundResultStore.compute(round, app: app)
            progress("round results", n + 1, counted.count)
        }
        report.counts += [("rounds", rounds.written), ("projects", projects.written), ("ballots", ballots.written), ("ballot choices", choices.written)]
    }
}
