import DemilgeCore
import Fluent
import Foundation

/// Issue 3's demo: in Манас-Ата (a new settlement of Osh, seed 000) residents' problems, a
/// needs-assessment session with five focus groups, the commission of the seed's composition,
/// its decision and a joint action plan. Loaded once; a second run finds the session and stops.
enum CommunityDemo {
    static func load(from directory: URL, on db: any Database) async throws -> Int {
        let data = try Data(contentsOf: directory.appendingPathComponent("community.json"))
        let seed = try JSONDecoder().decode(Seed.self, from: data)
        guard let territory = try await Territory.query(on: db).filter(\.$code == seed.territory).first(), let territoryID = territory.id else {
            throw SeedError.unknownTerritory(seed.territory)
        }
        if try await AssessmentSession.query(on: db).filter(\.$territory.$id == territoryID).filter(\.$heldOn == (try Day(stored: seed.session.heldOn))).first() != nil {
            return 0
        }
        let actor = DemoData.actor
        var problems: [String: Problem] = [:]
        for item in seed.problems {
            guard let category = ProblemCategory(rawValue: item.category) else { throw SeedError.unknownKind(item.category) }
            let authorID = try await item.author.asyncFlatMap { try await User.query(on: db).filter(\.$email == $0).first()?.id }
            let problem = Problem(title: item.title, description: item.description, category: category, territoryID: territoryID, authorID: authorID)
            try await problem.create(on: db)
            try await ProblemEvent(problemID: (try problem.requireID()), from: nil, to: .raised, reason: "").create(on: db)
            try await AuditLog.record(on: db, by: actor, action: "problem.raise", entityType: "problem", entityID: problem.idString, after: problem.snapshot)
            problems[item.key] = problem
        }

        let session = AssessmentSession()
        session.$territory.id = territoryID
        session.heldOn = try Day(stored: seed.session.heldOn)
        session.place = seed.session.place
        session.facilitators = seed.session.facilitators
        session.notes = seed.session.notes
        try await session.create(on: db)
        try await AuditLog.record(on: db, by: actor, action: "assessment.create", entityType: "assessment", entityID: session.idString, after: session.snapshot)
        for item in seed.session.groups {
            let group = FocusGroup()
            group.$session.id = (try session.requireID())
            group.kind = try FocusGroupKind(stored: item.kind)
            group.participants = try Participants.parse(item.counts.mapValues(String.init))
            try await group.create(on: db)
            for (key, place) in item.places {
                guard let problem = problems[key] else { throw SeedError.unknownKind(key) }
                try await FocusGroupRanking(groupID: (try group.requireID()), problemID: (try problem.requireID()), place: place).create(on: db)
            }
            for written in item.written ?? [] {
                let problem = Problem(title: written.title, description: "ЖМБА-сессиясында жазылды: \(seed.session.place).",
                                      category: try ProblemCategory(stored: written.category), territoryID: territoryID, authorID: nil)
                try await problem.create(on: db)
                try await ProblemEvent(problemID: (try problem.requireID()), from: nil, to: .raised, reason: "").create(on: db)
                try await FocusGroupRanking(groupID: (try group.requireID()), problemID: (try problem.requireID()), place: written.place).create(on: db)
            }
            try await AuditLog.record(on: db, by: actor, action: "assessment.ranking", entityType: "assessment", entityID: session.idString,
                                      after: ["group": group.idString])
        }

        if let coordinator = try await User.query(on: db).filter(\.$email == "resident.manas-ata@demilge.kg").first(),
           let official = try await User.query(on: db).filter(\.$email == "staff.osh@demilge.kg").first() {
            let group = InitiativeGroup()
            group.$territory.id = territoryID
            group.name = "Манас-Ата демилгелүү тобу"
            group.focus = "Конушка ичүүчү суу жана көчө жарыгын алып келүү; жамааттын чогулуштарын уюштуруу жана мэрия менен сүйлөшүү."
            group.$coordinator.id = (try coordinator.requireID())
            try await group.create(on: db)
            try await GroupMembership(groupID: (try group.requireID()), userID: (try coordinator.requireID()), sector: .activist, status: .member).create(on: db)
            try await GroupMembership(groupID: (try group.requireID()), userID: (try official.requireID()), sector: .official, status: .member).create(on: db)
            try await AuditLog.record(on: db, by: actor, action: "group.create", entityType: "group", entityID: group.idString, after: ["name": group.name])
        }

        let commission = Commission()
        commission.$territory.id = territoryID
        commission.name = seed.commission.name
        try await commission.create(on: db)
        try await AuditLog.record(on: db, by: actor, action: "commission.create", entityType: "commission", entityID: commission.idString,
                                  after: ["name": commission.name])
        for item in seed.commission.members {
            let member = CommissionMember()
            member.$commission.id = (try commission.requireID())
            member.name = item.name
            member.affiliation = item.affiliation
            member.position = item.position
            try await member.create(on: db)
        }
        let meeting = CommissionMeeting()
        meeting.$commission.id = (try commission.requireID())
        meeting.heldOn = try Day(stored: seed.commission.meeting.heldOn)
        meeting.present = seed.commission.meeting.present
        meeting.minutes = seed.commission.meeting.minutes
        try await meeting.create(on: db)
        guard let chosen = problems[seed.commission.meeting.problem] else { throw SeedError.unknownKind(seed.commission.meeting.problem) }
        let decision = CommissionDecision()
        decision.$meeting.id = (try meeting.requireID())
        decision.$problem.id = (try chosen.requireID())
        decision.reason = seed.commission.meeting.reason
        try await decision.create(on: db)
        chosen.status = ProblemStatus.inProgress
        try await chosen.update(on: db)
        try await ProblemEvent(problemID: (try chosen.requireID()), from: .raised, to: .prioritised, reason: decision.reason).create(on: db)
        try await ProblemEvent(problemID: (try chosen.requireID()), from: .prioritised, to: .inProgress, reason: "Биргелешкен аракеттер планы бекитилди.").create(on: db)
        for item in seed.commission.measures {
            let measure = ActionMeasure()
            measure.$commission.id = (try commission.requireID())
            measure.$problem.id = (try chosen.requireID())
            measure.description = item.description
            measure.responsible = item.responsible
            measure.deadline = try Day(stored: item.deadline)
            measure.plannedTyiyn = try Money.parse(item.amount).minorUnits
            measure.source = try FundingSource(stored: item.source)
            measure.status = try MeasureStatus(stored: item.status)
            measure.progress = item.progress
            measure.version = 1
            try await measure.create(on: db)
        }
        try await AuditLog.record(on: db, by: actor, action: "commission.decision", entityType: "commission", entityID: commission.idString,
                                  after: ["problem": chosen.idString, "measures": String(seed.commission.measures.count)])
        return 1
    }

    private struct Seed: Decodable {
        struct ProblemSeed: Decodable { var key, title, category, description: String; var author: String? }
        struct Written: Decodable { var title, category: String; var place: Int }
        struct Group: Decodable { var kind: String; var counts: [String: Int]; var places: [String: Int]; var written: [Written]? }
        struct Session: Decodable {
            var heldOn, place, facilitators, notes: String
            var groups: [Group]
            enum CodingKeys: String, CodingKey { case heldOn = "held_on", place, facilitators, notes, groups }
        }
        struct Member: Decodable { var name, affiliation, position: String }
        struct Meeting: Decodable {
            var heldOn: String; var present: Int; var minutes, problem, reason: String
            enum CodingKeys: String, CodingKey { case heldOn = "held_on", present, minutes, problem, reason }
        }
        struct Measure: Decodable { var description, responsible, deadline, amount, source, status: String; var progress: Int }
        struct CommissionSeed: Decodable { var name: String; var members: [Member]; var meeting: Meeting; var measures: [Measure] }
        var territory: String
        var problems: [ProblemSeed]
        var session: Session
        var commission: CommissionSeed
    }
}
