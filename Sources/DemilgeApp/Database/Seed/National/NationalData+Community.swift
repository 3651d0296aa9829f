import DemilgeCore
import Fluent
import SQLKit
import Vapor

extension NationalData {
    /// Problems across every place, their supports (a few problems draw most of them, each resident supports a
    /// problem once) and comments.
    /// Each problem's creation time set to its day raised (writing rows stamps them with the time of writing), in one
    /// statement, so the indicators of a period find problems spread over the years as they would be.
    private func datedAsRaised() async throws {
        try await app.write(counted: false) { db in
            guard let sql = db as? any SQLDatabase else { return }
            let seconds: SQLQueryString = sql.dialect.name == "postgresql" ? "to_timestamp(e.at_millis / 1000.0)" : "e.at_millis / 1000.0"
            try await sql.raw("""
                UPDATE problems SET created_at = (SELECT \(seconds) FROM problem_events e WHERE e.problem_id = problems.id AND e.to_status = 'raised')
                WHERE EXISTS (SELECT 1 FROM problem_events e WHERE e.problem_id = problems.id AND e.to_status = 'raised')
                """).run()
        }
    }

    mutating func problems() async throws {
        let count = scale.problems
        var supportCounts = Array(repeating: 0, count: count)
        for _ in 0..<scale.supports {
            let index = random.skewed(count)
            if supportCounts[index] < residents.count { supportCounts[index] += 1 }
        }
        let statuses: [ProblemStatus] = [.raised, .raised, .raised, .underReview, .prioritised, .inProgress, .solved, .solved, .declined]
        var problems = BulkWriter<Problem>(app)
        var events = BulkWriter<ProblemEvent>(app)
        var supports = BulkWriter<ProblemSupport>(app)
        var ids: [UUID] = []
        ids.reserveCapacity(count)
        for n in 0..<count {
            let where_ = place()
            let (title, description) = random.pick(NationalNames.problemTopics)
            let problem = Problem(title: title, description: description, category: random.pick(ProblemCategory.allCases),
                                  territoryID: where_.id, authorID: random.pick(residents))
            let id = random.uuid()
            problem.id = id
            problem.status = random.pick(statuses)
            problem.supportCount = supportCounts[n]
            problems.add(problem)
            let raised = day()
            events.add(ProblemEvent(problemID: id, from: nil, to: .raised, reason: "", at: raised.noon))
            if problems.isFull { try await problems.flush(); try await events.flush() }
            try await audit.record("problem.raise", "problem", id, at: raised.noon)
            ids.append(id)
            problemsByMunicipality[where_.municipality].append(id)
            if n % 1_000 == 0 { progress("problems", n, count) }
        }
        try await problems.flush()
        try await events.flush()
        try await datedAsRaised()
        for (n, id) in ids.enumerated() where supportCounts[n] > 0 {
            let first = random.int(in: 0...(residents.count - 1))
            for k in 0..<supportCounts[n] {
                supports.add(ProblemSupport(problemID: id, userID: residents[(first + k) % residents.count]))
                try await supports.flushIfFull()
                try await audit.record("problem.support", "problem", id, at: firstDay.adding(days: (n + k) % days).noon)
            }
            if n % 1_000 == 0 { progress("supports", supports.written, scale.supports) }
        }
        try await supports.flush()
        var comments = BulkWriter<ProblemComment>(app)
        for n in 0..<scale.comments {
            let comment = ProblemComment()
            comment.id = random.uuid()
            comment.$problem.id = ids[random.skewed(ids.count)]
            comment.$author.id = random.pick(residents)
            comment.body = random.pick(["Биздин көчөдө да ушундай.", "Колдойм, тез чечүү керек.", "Айыл өкмөтүнө кайрылдык, жооп жок.",
                                        "Ашарга катышууга даярбыз.", "Былтыр да ушул маселе болгон."])
            comment.hidden = false
            comments.add(comment)
            try await comments.flushIfFull()
            try await audit.record("problem.comment", "problem", comment.$problem.id, at: day().noon)
            if n % 1_000 == 0 { progress("comments", n, scale.comments) }
        }
        try await comments.flush()
        report.counts += [("problems", problems.written), ("supports", supports.written), ("comments", comments.written)]
    }

    /// Needs-assessment sessions in municipalities, three to five focus groups each (counted by sex and age), every
    /// group ranking problems of its municipality.
    mutating func sessions() async throws {
        var sessions = BulkWriter<AssessmentSession>(app)
        var groups = BulkWriter<FocusGroup>(app)
        var rankings = BulkWriter<FocusGroupRanking>(app)
        let kinds: [FocusGroupKind] = [.women, .men, .youth, .elders, .disabilities]
        for n in 0..<scale.sessions {
            let municipality = random.int(in: 0...(municipalities.count - 1))
            guard let territoryID = municipalities[municipality].id else { continue }
            let session = AssessmentSession()
            let sessionID = random.uuid()
            session.id = sessionID
            session.$territory.id = territoryID
            let held = day()
            session.heldOn = held
            session.place = "Айыл өкмөтүнүн залы"
            session.facilitators = NationalNames.person(&random)
            session.notes = ""
            sessions.add(session)
            try await audit.record("assessment.create", "assessment", sessionID, at: held.noon)
            let candidates = problemsByMunicipality[municipality]
            for kind in kinds.prefix(random.int(in: 3...5)) {
                let group = FocusGroup()
                let groupID = random.uuid()
                group.id = groupID
                group.$session.id = sessionID
                group.kind = kind
                var people = Participants()
                let sex: [Sex] = kind == .women ? [.female] : kind == .men ? [.male] : [.female, .male]
                for s in sex { people[s, random.pick(AgeBand.allCases)] = random.int(in: 4...20) }
                group.participants = people
                groups.add(group)
                var ranked = Set<UUID>()
                for _ in 0..<min(candidates.count, random.int(in: 3...6)) { ranked.insert(random.pick(candidates)) }
                for (place, problem) in ranked.sorted(by: { $0.uuidString < $1.uuidString }).enumerated() {
                    rankings.add(FocusGroupRanking(groupID: groupID, problemID: problem, place: place + 1))
                }
            }
            if sessions.isFull || groups.isFull || rankings.isFull {
                try await sessions.flush(); try await groups.flush(); try await rankings.flush()
            }
            if n % 100 == 0 { progress("sessions", n, scale.sessions) }
        }
        // Parents before children: a focus group refers to its session, a ranking to its group.
        try await sessions.flush()
        try await groups.flush()
        try await rankings.flush()
        report.counts += [("sessions", sessions.written), ("focus groups", groups.written), ("rankings", rankings.written)]
    }
}
