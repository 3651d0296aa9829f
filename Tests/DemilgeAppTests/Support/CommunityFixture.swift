@testable import DemilgeApp
import DemilgeCore
import Fluent
import Foundation
import Testing
import Vapor

/// The small grant fixture and, in its ayil aimak, a community's whole cycle made in the test with fixed ids and
/// days: two residents, two problems (one solved), a needs-assessment session whose two focus groups ranked them, a
/// commission that decided on one and planned a measure, an initiative group, a published budgeting round with three
/// projects and three ballots (its result counted and stored), an event and a practice.
struct CommunityFixture {
    let grant: SmallFixture
    let water: UUID, road: UUID
    let session: UUID, commission: UUID, group: UUID, round: UUID, event: UUID, practice: UUID

    static func make(_ app: Application) async throws -> CommunityFixture {
        let db = app.db
        let grant = try await SmallFixture.make(on: db, status: .approved)
        let id = SmallFixture.id
        let aimak = try #require(id(2)), oblast = try #require(id(1))
        let aigul = User(email: "aigul@example.kg", displayName: "Айгүл Токтогулова", passwordHash: "-")
        aigul.id = id(20)
        aigul.emailConfirmedMillis = 0
        try await aigul.create(on: db)
        let bakyt = User(email: "bakyt@example.kg", displayName: "Бакыт Осмонов", passwordHash: "-")
        bakyt.id = id(21)
        bakyt.emailConfirmedMillis = 0
        try await bakyt.create(on: db)

        let water = Problem(title: "Ичүүчү суу жетишсиз", description: "Жайында суу өчүп калат.", category: .water, territoryID: aimak, authorID: aigul.id)
        water.id = id(30)
        water.supportCount = 2
        try await water.create(on: db)
        let road = Problem(title: "Мектепке жол бузулган", description: "Жамгырда өтүү кыйын.", category: .roads, territoryID: aimak, authorID: bakyt.id)
        road.id = id(31)
        road.status = .solved
        try await road.create(on: db)

        let session = AssessmentSession()
        session.id = id(40)
        session.$territory.id = aimak
        session.heldOn = try Day(stored: "2025-03-15")
        session.place = "Айыл өкмөтүнүн залы"
        session.facilitators = "Нурлан Абдыкеримов"
        session.notes = ""
        try await session.create(on: db)
        for (n, kind, women, men, places) in [(41, FocusGroupKind.women, 12, 0, [30: 1, 31: 2]), (42, .men, 0, 9, [31: 1, 30: 2])] {
            let group = FocusGroup()
            group.id = id(n)
            group.$session.id = try session.requireID()
            group.kind = kind
            var participants = Participants()
            participants[.female, .from30to59] = women
            participants[.male, .from30to59] = men
            group.participants = participants
            try await group.create(on: db)
            for (problem, place) in places {
                try await FocusGroupRanking(groupID: try group.requireID(), problemID: try #require(id(problem)), place: place).create(on: db)
            }
        }

        let commission = Commission()
        commission.id = id(50)
        commission.$territory.id = aimak
        commission.name = "Ак-Суу коомдук комиссиясы"
        try await commission.create(on: db)
        let member = CommissionMember()
        member.$commission.id = try commission.requireID()
        member.name = "Гүлнара Сыдыкова"
        member.affiliation = CommissionAffiliation.initiativeGroup.rawValue
        member.position = "Төрага"
        try await member.create(on: db)
        let meeting = CommissionMeeting()
        meeting.id = id(51)
        meeting.$commission.id = try commission.requireID()
        meeting.heldOn = try Day(stored: "2025-04-02")
        meeting.present = 7
        meeting.minutes = "Суу маселеси биринчи орунга коюлду."
        try await meeting.create(on: db)
        let decision = CommissionDecision()
        decision.$meeting.id = try meeting.requireID()
        decision.$problem.id = try water.requireID()
        decision.reason = "Эки топ тең жогору койду."
        try await decision.create(on: db)
        let measure = ActionMeasure()
        measure.$commission.id = try commission.requireID()
        measure.$problem.id = try water.requireID()
        measure.description = "Суу түтүгүн алмаштыруу"
        measure.responsible = "Айыл өкмөтү"
        measure.deadline = try Day(stored: "2025-10-01")
        measure.plannedTyiyn = 40_000_000
        measure.source = .localBudget
        measure.status = .inProgress
        measure.progress = 40
        measure.version = 1
        try await measure.create(on: db)

        let initiative = InitiativeGroup()
        initiative.id = id(60)
        initiative.$territory.id = aimak
        initiative.name = "Таза суу демилгеси"
        initiative.focus = "Айылга таза ичүүчү суу жеткирүү."
        initiative.$coordinator.id = try aigul.requireID()
        try await initiative.create(on: db)
        try await GroupMembership(groupID: try initiative.requireID(), userID: try aigul.requireID(), sector: .activist, status: .member).create(on: db)

        let round = BudgetRound(territoryID: aimak, title: "Ак-Суу 2025: коомдук бюджет", description: "Үч долбоордон тандаңыз.",
                                envelopeTyiyn: 100_000_000, type: .approval, rule: .greedyCostSat, status: .published,
                                window: (try Day(stored: "2025-05-01"), try Day(stored: "2025-05-20")), eligibility: .selfDeclared)
        round.id = id(70)
        try await round.create(on: db)
        var projects: [BudgetProject] = []
        for (n, code, title, cost) in [(71, "1", "Суу түтүгү", Int64(60_000_000)), (72, "2", "Мектеп жолу", 50_000_000), (73, "3", "Спорт аянтчасы", 30_000_000)] {
            let project = BudgetProject()
            project.id = id(n)
            project.$round.id = try round.requireID()
            project.code = code
            project.title = title
            project.description = ""
            project.costTyiyn = cost
            try await project.create(on: db)
            projects.append(project)
        }
        try await projects[0].$problems.attach(water, on: db)
        for (n, voter, chosen) in [(75, aigul.id, [0, 2]), (76, bakyt.id, [0]), (77, nil as UUID?, [1, 2])] {
            let ballot = BudgetBallot(roundID: try round.requireID(), voterID: voter, channel: voter == nil ? .paper : .online)
            ballot.id = id(n)
            try await ballot.create(on: db)
            for index in chosen {
                try await BallotChoiceRecord(ballotID: try ballot.requireID(), projectID: try projects[index].requireID(), points: 1).create(on: db)
            }
        }
        try await RoundResultStore.compute(round, app: app)

        let event = Event()
        event.id = id(80)
        event.kind = .roundTable
        event.title = "Суу боюнча тегерек үстөл"
        event.$host.id = aimak
        event.$programme.id = grant.programmeID
        event.heldOn = try Day(stored: "2025-02-10")
        event.agenda = "Суу маселеси"
        event.outcomes = "Сессия өткөрүү чечилди."
        var present = Participants()
        present[.female, .from18to29] = 5
        present[.male, .over60] = 3
        event.participants = present
        event.participantsNote = ""
        event.version = 1
        try await event.create(on: db)
        try await event.$invited.attach(try #require(try await Territory.find(oblast, on: db)), on: db)

        let practice = Practice()
        practice.id = id(90)
        practice.title = "Суу түтүгүн коом менен бирге алмаштыруу"
        practice.theme = .water
        practice.$territory.id = aimak
        practice.$organisation.id = id(3)
        practice.whatWasDone = "Эки километр түтүк төшөлдү."
        practice.whatWorked = "Ашар менен иштөө."
        practice.contact = "Ак-Суу коому"
        practice.grantTyiyn = 50_000_000
        practice.localBudgetTyiyn = 0
        practice.communityTyiyn = 6_000_000
        practice.otherTyiyn = 0
        practice.publishedOn = try Day(stored: "2025-11-20")
        try await practice.create(on: db)
        // Made past the site's write path, as bulk data is: each place's figures are computed once, after it.
        try await PlaceFiguresStore.rebuildAll(on: db)

        return CommunityFixture(grant: grant, water: try water.requireID(), road: try road.requireID(), session: try session.requireID(),
                                commission: try commission.requireID(), group: try initiative.requireID(), round: try round.requireID(),
                                event: try event.requireID(), practice: try practice.requireID())
    }
}
