@testable import DemilgeApp
import DemilgeCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// Every public page as a value, built on the community fixture made in the test (not the demo seed) and read as a
/// signed-out visitor would read it. Each test names what the page must show; a page that loses a record, shows it in
/// the wrong language or leaks something a visitor may not see fails here without any HTML.
@Suite("Public page models")
struct PublicPageModelTests {
    static func visitor(_ app: Application, _ language: Language = .ky, query: String = "") -> Request {
        let req = Request(application: app, url: URI(string: "/" + (query.isEmpty ? "" : "?" + query)), on: app.eventLoopGroup.any())
        req.language = language
        return req
    }

    static func withCommunity(_ body: (Application, CommunityFixture) async throws -> Void) async throws {
        try await withFreshDatabase(prepared: false) { app in
            try await app.autoMigrate()
            try await body(app, try await CommunityFixture.make(app))
        }
    }

    @Test("home: the programme, the directory's size, and public activity linked to its subject (a hidden problem's left out)")
    func home() async throws {
        try await Self.withCommunity { app, f in
            try await AuditLog.record(on: app.db, by: .system("test"), action: "problem.raise", entityType: "problem", entityID: f.water.uuidString.lowercased())
            try await AuditLog.record(on: app.db, by: .system("test"), action: "user.create", entityType: "user", entityID: "someone")
            try await AuditLog.record(on: app.db, by: .system("test"), action: "problem.raise", entityType: "problem", entityID: f.road.uuidString.lowercased())
            try await Problem.query(on: app.db).filter(\.$id == f.road).set(\.$hidden, to: true).update()
            let page = try await HomePage.build(Self.visitor(app))
            #expect(page.programmes.map(\.link.name.text) == ["Сыноо программасы"])
            #expect(page.territoryCount == "2" && page.organisationCount == "1")
            #expect(page.activity.map(\.href) == [SitePath.problem(f.water).path], "only the public action, linked to its problem")
            #expect(page.activity.first?.name?.text == "Ичүүчү суу жетишсиз")
            #expect(page.activity.first?.what == app.catalog.text("activity.problem.raise", .ky))
        }
    }

    @Test("territory: its names, the community's record below it and the grants and money there")
    func territory() async throws {
        try await Self.withCommunity { app, f in
            let directory = try await TerritoryDirectory.load(on: app.db)
            let aimak = try #require(directory.byCode["KG-T-ak"])
            let page = try await TerritoryPage.build(Self.visitor(app), aimak, directory: directory)
            #expect(page.territory.name.text == "Ак-Суу айыл аймагы")
            #expect(page.breadcrumbs.map(\.code) == ["KG-T"])
            #expect(page.community.openProblems == 1 && page.community.solvedProblems == 1)
            #expect(page.community.sessions.map(\.href) == [SitePath.assessment(f.session).path])
            #expect(page.community.commissions.map(\.label) == ["Ак-Суу коомдук комиссиясы"])
            #expect(page.community.groups.map(\.href) == [SitePath.group(f.group).path])
            #expect(page.portal.grants.map(\.href) == [SitePath.application(f.grant.applicationID).path])
            #expect(page.portal.rounds.count == 1 && page.portal.events.count == 1 && page.portal.practices.count == 1)
            #expect(page.portal.measuresTotal == 1 && page.portal.measuresDone == 0)
            #expect(page.organisations.map(\.slug) == ["ak-suu-koomu"])

            let oblast = try await TerritoryPage.build(Self.visitor(app, .ru), try #require(directory.byCode["KG-T"]), directory: directory)
            #expect(oblast.territory.name.text == "Тестовая область", "the oblast's page, in Russian")
            #expect(oblast.community.openProblems == 1, "an oblast counts what its places recorded")
            #expect(oblast.groups.flatMap(\.items).map(\.code) == ["KG-T-ak"])
        }
    }

    @Test("territories, programmes and organisations: the directory, a programme's calls and an organisation's place")
    func directory() async throws {
        try await Self.withCommunity { app, f in
            let list = try await TerritoryListPage.build(Self.visitor(app))
            #expect(list.oblasts.map(\.code) == ["KG-T"] && list.total == 2 && !list.canManage)
            let programme = try #require(try await Programme.query(on: app.db).filter(\.$slug == "synoo")
                .with(\.$donor).with(\.$implementer).with(\.$partners).with(\.$regions).with(\.$grantees, { $0.with(\.$organisation).with(\.$programme) }).first())
            let page = try await ProgrammePage.build(Self.visitor(app), programme)
            #expect(page.programme.link.name.text == "Сыноо программасы")
            #expect(page.portal?.calls.map(\.href) == [SitePath.call(f.grant.callID).path])
            let programmes = try await ProgrammeSummary.all(on: Self.visitor(app, .en))
            #expect(programmes.map(\.link.slug) == ["synoo"] && programmes.first?.granteeCount == 0)
            let organisations = try await OrganisationListPage.build(Self.visitor(app))
            #expect(organisations.organisations.map(\.slug) == ["ak-suu-koomu"])
            let organisation = try #require(try await Organisation.find(SmallFixture.id(3), on: app.db))
            let shown = try await OrganisationPage.build(Self.visitor(app, .ru), organisation)
            #expect(shown.organisation.name.text == "Общество Ак-Суу")
            #expect(shown.territoryPath.map(\.code) == ["KG-T", "KG-T-ak"])
            #expect(shown.roles.isEmpty && !shown.canManage)
        }
    }

    @Test("problems: listed most supported first with category and status in the reader's language; a problem's page")
    func problems() async throws {
        try await Self.withCommunity { app, f in
            let list = try await ProblemListPage.build(Self.visitor(app), filters: try await ProblemFilters(Self.visitor(app)))
            #expect(list.problems.map(\.title) == ["Ичүүчү суу жетишсиз", "Мектепке жол бузулган"])
            #expect(list.problems.first?.category == app.catalog.text(ProblemCategory.water.catalogKey, .ky))
            #expect(!list.canRaise)
            let onlySolved = Self.visitor(app, query: "status=solved")
            let solved = try await ProblemListPage.build(onlySolved, filters: try await ProblemFilters(onlySolved))
            #expect(solved.problems.map(\.id) == [f.road.uuidString.lowercased()])
            #expect(solved.query == "status=solved")
            let water = try #require(try await Problem.query(on: app.db).filter(\.$id == f.water).with(\.$territory).first())
            let page = try await ProblemPage.build(Self.visitor(app, .ru), water, form: FormState())
            #expect(page.problem.status == app.catalog.text(ProblemStatus.raised.catalogKey, .ru))
            #expect(page.path.map(\.code) == ["KG-T", "KG-T-ak"])
            #expect(!page.signedIn && !page.supported && !page.canModerate && !page.canChangeStatus && page.mergeCandidates.isEmpty)
            #expect(page.solvedElsewhere.isEmpty, "the practice is in this very place, so it is not 'elsewhere'")
        }
    }

    @Test("needs assessment: the session listed with its groups and people; its page ranks the priorities of both groups")
    func assessments() async throws {
        try await Self.withCommunity { app, f in
            let list = try await SessionListPage.build(Self.visitor(app))
            #expect(list.sessions.map(\.id) == [f.session.uuidString.lowercased()])
            #expect(list.sessions.first?.groups == 2 && list.sessions.first?.participants == 21)
            #expect(list.sessions.first?.date == (try Day(stored: "2025-03-15")).formatted(.ky))
            let session = try #require(try await AssessmentSession.query(on: app.db).filter(\.$id == f.session).with(\.$territory)
                .with(\.$groups, { $0.with(\.$rankings) }).first())
            let page = try await SessionPage.build(Self.visitor(app), session, form: FormState())
            #expect(page.groups.map(\.name) == [FocusGroupKind.women, .men].map { app.catalog.text($0.catalogKey, .ky) })
            #expect(page.groups.map(\.women) == [12, 0] && page.groups.map(\.men) == [0, 9])
            #expect(page.hasPriorities && page.lines.count == 2)
            // Each group put the other problem first: every group weighs the same, so the two tie at the top.
            #expect(page.lines.map(\.rank) == [1, 1] && Set(page.lines.map(\.points)).count == 1 && page.lines.allSatisfy { $0.groups == 2 })
            #expect(!page.lines.contains { $0.disagreement }, "one place apart is not a disagreement")
            #expect(page.prioritiesProblem == nil)
            #expect(!page.canRecord)
        }
    }

    @Test("a session whose rankings cannot be aggregated says why, on its page and in its export, instead of 'no rankings'")
    func unaggregatablePriorities() async throws {
        try await Self.withCommunity { app, f in
            // Two groups ranked in the fixture; these make one more than the aggregation weighs exactly.
            for _ in 0..<(Prioritization.maximumGroups - 1) {
                let group = FocusGroup()
                group.$session.id = f.session
                group.kind = .youth
                group.participants = Participants()
                try await group.create(on: app.db)
                try await FocusGroupRanking(groupID: try group.requireID(), problemID: f.water, place: 1).create(on: app.db)
            }
            let session = try #require(try await AssessmentSession.query(on: app.db).filter(\.$id == f.session).with(\.$territory)
                .with(\.$groups, { $0.with(\.$rankings) }).first())
            let page = try await SessionPage.build(Self.visitor(app, .ru), session, form: FormState())
            #expect(!page.hasPriorities && page.lines.isEmpty)
            #expect(page.prioritiesProblem == app.catalog.text("error.priorities.too_many_groups", .ru))
            let export = try await Browser(app).get(SitePath.assessment(f.session).path + "/priorities.json")
            #expect(export.status == .conflict)
        }
    }

    @Test("commissions and groups: members by affiliation, the decision and the plan's money; a group's members")
    func commissionsAndGroups() async throws {
        try await Self.withCommunity { app, f in
            let list = try await CommissionListPage.build(Self.visitor(app))
            #expect(list.commissions.map(\.name) == ["Ак-Суу коомдук комиссиясы"] && list.commissions.first?.measures == 1)
            let commission = try #require(try await Commission.query(on: app.db).filter(\.$id == f.commission).with(\.$territory).with(\.$members)
                .with(\.$meetings, { $0.with(\.$decisions, { $0.with(\.$problem) }) }).with(\.$measures, { $0.with(\.$problem) }).first())
            let page = try await CommissionPage.build(Self.visitor(app), commission, form: FormState(), formName: "")
            #expect(page.members.map(\.affiliation) == [app.catalog.text(CommissionAffiliation.initiativeGroup.catalogKey, .ky)])
            #expect(page.meetings.first?.decisions.map(\.problem) == ["Ичүүчү суу жетишсиз"])
            #expect(page.plans.map(\.total) == [Money(minorUnits: 40_000_000).formatted(.ky)])
            #expect(page.plans.first?.measures.first?.progress == 40 && !page.canRecord)

            let groups = try await GroupListPage.build(Self.visitor(app))
            #expect(groups.groups.map(\.name) == ["Таза суу демилгеси"] && groups.groups.first?.members == 1)
            let group = try #require(try await InitiativeGroup.query(on: app.db).filter(\.$id == f.group).with(\.$territory).with(\.$coordinator)
                .with(\.$memberships, { $0.with(\.$user) }).first())
            let shown = try await GroupPage.build(Self.visitor(app), group, form: FormState())
            #expect(shown.coordinator == "Айгүл Токтогулова" && shown.members.map(\.isCoordinator) == [true])
            #expect(shown.pending.isEmpty && !shown.canManage && shown.myStatus == nil)
        }
    }

    @Test("budgeting: the round listed and shown with turnout by channel; its results fund within the envelope and say why")
    func rounds() async throws {
        try await Self.withCommunity { app, f in
            let list = try await RoundListPage.build(Self.visitor(app))
            #expect(list.rounds.map(\.id) == [f.round.uuidString.lowercased()] && !list.canCreate)
            let round = try #require(try await BudgetRound.query(on: app.db).filter(\.$id == f.round).with(\.$territory).first())
            let page = try await RoundPage.build(Self.visitor(app), round, form: FormState(), formName: "", ballot: nil, ballotErrors: [])
            #expect(page.projects.map(\.code) == ["1", "2", "3"])
            #expect(page.projects.first?.problems.map(\.label) == ["Ичүүчү суу жетишсиз"])
            #expect(page.countsVisible && page.resultsVisible && !page.isOpen && !page.canVote)
            #expect(page.online == 2 && page.paper == 1 && page.imported == 0)

            let stored = try #require(try await RoundResultStore.load(f.round, on: app.db))
            let results = try await ResultsPage.build(Self.visitor(app), round, stored)
            // Greedy by votes: the water pipe (2 votes, 600 000) then the sports ground (2 votes, 300 000); the road (1 vote) does not fit.
            #expect(results.rows.filter(\.funded).map(\.code) == ["1", "3"])
            #expect(results.rows.map(\.total) == [2, 2, 1])
            #expect(results.spent == Money(minorUnits: 90_000_000).formatted(.ky) && results.left == Money(minorUnits: 10_000_000).formatted(.ky))
            #expect(results.online == 2 && results.paper == 1)
            #expect(results.rows.allSatisfy { !$0.why.isEmpty }, "every project says why it was funded or not")
            #expect(!results.voted && results.myFunded.isEmpty)
        }
    }

    @Test("grants: the call listed with applications and awards, and the grantee under its oblast")
    func grants() async throws {
        try await Self.withCommunity { app, f in
            let calls = try await CallListPage.build(Self.visitor(app))
            #expect(calls.calls.map(\.id) == [f.grant.callID.uuidString.lowercased()])
            #expect(calls.calls.first?.applications == 1 && calls.calls.first?.awarded == 1)
            let call = try #require(try await GrantCall.query(on: app.db).filter(\.$id == f.grant.callID).with(\.$programme).first())
            let page = try await CallPage.build(Self.visitor(app, .ru), call, form: FormState())
            #expect(page.title == "Суу сынагы" && page.programme == "Тестовая программа" && page.statusKey == "decided" && page.decided)
            #expect(page.applications.map(\.organisationSlug) == ["ak-suu-koomu"] && page.budget == Money(minorUnits: 100_000_000).formatted(.ru))
            #expect(!page.isManager && !page.isReviewer && !page.canDecide && page.reviewers.isEmpty, "a visitor sees no reviewers and acts on nothing")
            let grantees = try await GranteesPage.build(Self.visitor(app))
            #expect(grantees.total == 1 && grantees.groups.map(\.oblast.code) == ["KG-T"])
            #expect(grantees.groups.first?.items.map(\.organisationSlug) == ["ak-suu-koomu"])
        }
    }

    @Test("events and practices: listed with participants and cost; their pages in the reader's language")
    func eventsAndPractices() async throws {
        try await Self.withCommunity { app, f in
            let events = try await EventListPage.build(Self.visitor(app), kind: "")
            #expect(events.events.map(\.title) == ["Суу боюнча тегерек үстөл"] && events.events.first?.participants == "8")
            #expect(try await EventListPage.build(Self.visitor(app), kind: "training").events.isEmpty)
            let event = try #require(try await Event.query(on: app.db).filter(\.$id == f.event).with(\.$host).with(\.$invited).with(\.$organiser).with(\.$programme).first())
            let page = EventPage.build(Self.visitor(app, .ru), event)
            #expect(page.kind == app.catalog.text(EventKind.roundTable.catalogKey, .ru) && page.programme == "Тестовая программа")
            #expect(page.invited.map(\.code) == ["KG-T"] && page.total == 8)

            let practices = try await PracticeListPage.build(Self.visitor(app), theme: "", oblast: "KG-T")
            #expect(practices.practices.map(\.cost) == [Money(minorUnits: 56_000_000).formatted(.ky)])
            #expect(try await PracticeListPage.build(Self.visitor(app), theme: "roads", oblast: "").practices.isEmpty)
            let practice = try #require(try await Practice.query(on: app.db).filter(\.$id == f.practice).with(\.$territory).with(\.$organisation).first())
            let shown = try await PracticePage.build(Self.visitor(app), practice)
            #expect(shown.costs.map(\.amount) == [50_000_000, 6_000_000].map { Money(minorUnits: $0).formatted(.ky) }, "sources that paid nothing are left out")
            #expect(shown.organisationSlug == "ak-suu-koomu" && !shown.hasGrant && !shown.hasOthers)
        }
    }

    @Test("indicators: every figure from the fixture, and a period that excludes it")
    func indicators() async throws {
        try await Self.withCommunity { app, _ in
            let req = Self.visitor(app)
            let figures = try await IndicatorFigures.load(try await IndicatorFilter.read(req), req)
            #expect(figures.problemsRaised == 2 && figures.problemsSolved == 1 && figures.sessions == 1 && figures.participants.total == 21)
            #expect(figures.ballotsOnline == 2 && figures.ballotsPaper == 1 && figures.grantsAwarded == 1 && figures.events == 1)
            let page = try await IndicatorsPage.build(req, try await IndicatorFilter.read(req), figures)
            #expect(page.lines.first { $0.key == "assessment_participants" }?.value == "21")
            #expect(page.participants.map(\.total) == ["12", "9"])
            let earlier = Self.visitor(app, query: "to=2024-12-31")
            let none = try await IndicatorFigures.load(try await IndicatorFilter.read(earlier), earlier)
            #expect(none.sessions == 0 && none.events == 0, "nothing happened before 2025")
        }
    }

    @Test("search: a word finds the problem by its stem, highlighted, and a type filter narrows it")
    func search() async throws {
        try await Self.withCommunity { app, f in
            _ = try await SearchIndex.rebuild(on: app.db)
            let page = try await SearchPage.build(Self.visitor(app, query: "q=сууну"))
            #expect(page.searched && page.hasResults)
            #expect(page.results.contains { $0.url == SitePath.problem(f.water).path })
            #expect(page.results.allSatisfy { $0.title.contains(where: \.marked) || $0.snippet.contains(where: \.marked) })
            let problems = try await SearchPage.build(Self.visitor(app, query: "q=суу&type=problem"))
            #expect(!problems.results.isEmpty && problems.results.allSatisfy { $0.type == "problem" })
            #expect(try await SearchPage.build(Self.visitor(app)).searched == false)
        }
    }
}
