import DemilgeCore
import Fluent
import Foundation

/// Issue 5's demo. Seed 004's call with its 25 civil-society grantees as awarded applications; a municipal
/// call of the Swiss Аракет programme in Osh's new settlements (seed 000) reviewed by two commission members
/// (one declared a conflict), ranked within its budget, and Манас-Ата's grant carried through its contract,
/// two tranches, a joint monitoring visit and the final report to closure; and an open call to apply to.
enum GrantsDemo {
    static let cityCallTitle = "Аракет: жаңы конуштардын көйгөйлөрүн чечүүгө чакан гранттар 2022"
    static let csoCallTitle = "Ынтымактуу Жашоо: жарандык коом уюмдарынын тынчтык демилгелерине 25 грант"
    static let openCallTitle = "Аракет: чакан гранттар 2027"
    static let manasAtaTitle = "Манас-Атага ичүүчү суу түтүгүн 1,2 км тартуу"

    static let criteria = [
        GrantCall.Criterion(key: "c1", name: "Көйгөйдүн маанилүүлүгү", weight: 30, max: 10),
        GrantCall.Criterion(key: "c2", name: "Жарандардын катышуусу", weight: 20, max: 10),
        GrantCall.Criterion(key: "c3", name: "Туруктуулук", weight: 20, max: 10),
        GrantCall.Criterion(key: "c4", name: "Чыгашалардын негиздүүлүгү", weight: 15, max: 10),
        GrantCall.Criterion(key: "c5", name: "Өздүк салымдын көлөмү", weight: 15, max: 10),
    ]

    struct CityApplication {
        let organisation: String, territory: String, title: String, summary: String, problem: String?
        let lines: [(String, FundingSource, Int64)]
        /// Scores by reviewer one and two per criterion; nil where the reviewer had a conflict.
        let scores: [[Int]?]
    }

    static let cityApplications: [CityApplication] = [
        .init(organisation: "mta-manas-ata", territory: "KG-GO-manas-ata", title: manasAtaTitle,
              summary: "Конуштун түштүк бөлүгүндөгү 180 үй ичүүчү суу түтүгүнө туташат; суу ташуу токтойт.",
              problem: "Конуштун жарымына ичүүчү суу түтүгү тартылган эмес",
              lines: [("Негизги түтүк 1,2 км: материалдар жана монтаж", .grant, 1_450_000), ("Долбоордук-сметалык документтер", .localBudget, 120_000),
                      ("Үйлөргө туташтыруу казуулары (ашар)", .community, 180_000), ("Биргелешкен мониторинг жана жамаатка отчет", .localBudget, 15_000)],
              scores: [[9, 8, 8, 7, 8], [8, 9, 7, 8, 7]]),
        .init(organisation: "mta-alay-1", territory: "KG-GO-alay-1", title: "Алай 1 конушунун негизги көчөлөрүнө жарык",
              summary: "Үч негизги көчөгө күн батареялуу 35 чырак; кечки коопсуздук.", problem: nil,
              lines: [("Чырактар жана орнотуу", .grant, 1_000_000), ("Электр тармагына туташтыруу", .localBudget, 150_000), ("Жамааттын эмгеги", .community, 60_000)],
              scores: [[7, 7, 6, 7, 7], [7, 6, 7, 6, 7]]),
        .init(organisation: "mta-alay-2", territory: "KG-GO-alay-2", title: "Алай 2 конушунда балдар аянтчасы",
              summary: "Мектептин жанында 3–12 жаштагы балдар үчүн коопсуз аянтча.", problem: nil,
              lines: [("Оюн жабдуулары", .grant, 900_000), ("Жерди даярдоо", .localBudget, 120_000), ("Жамааттын эмгеги", .community, 60_000)],
              scores: [[8, 7, 7, 7, 6], nil]),
        .init(organisation: "mta-edelweiss", territory: "KG-GO-edelweiss", title: "Эдельвейс бала бакчасына кошумча топ",
              summary: "Бала бакчанын бош канатын оңдоп, 30 балага кошумча топ ачуу.", problem: nil,
              lines: [("Оңдоо иштери", .grant, 1_300_000), ("Эмерек", .localBudget, 180_000), ("Ата-энелердин салымы", .community, 60_000)],
              scores: [[6, 6, 5, 6, 6], [5, 6, 6, 5, 5]]),
    ]

    static func load(on db: any Database) async throws -> Int {
        if try await GrantCall.query(on: db).filter(\.$title == cityCallTitle).first() != nil { return 0 }
        guard let araket = try await Programme.query(on: db).filter(\.$slug == "araket").first(),
              let ynty = try await Programme.query(on: db).filter(\.$slug == "yntymaktuu-jashoo").first(),
              let osh = try await Territory.query(on: db).filter(\.$code == "KG-GO").first() else { return 0 }
        try await memberships(on: db)
        try await cityCall(araket, osh, on: db)
        try await csoCall(ynty, on: db)
        let open = call(openCallTitle, (try araket.requireID()), budget: 2_000_000, range: (100_000, 600_000), coFunding: 15, kinds: "municipality,cso",
                        territories: [(try osh.requireID())], deadline: Day.today().adding(days: 45), status: .open,
                        description: "Ош шаарынын жаңы конуштарындагы муниципалитеттер жана жарандык коом уюмдары үчүн.")
        try await open.create(on: db)
        try await AuditLog.record(on: db, by: DemoData.actor, action: "grant_call.open", entityType: "grant_call", entityID: open.idString, after: open.snapshot)
        return 3
    }

    private static func memberships(on db: any Database) async throws {
        for (email, slug) in [("applicant.manas-ata@demilge.kg", "mta-manas-ata"), ("applicant.cso@demilge.kg", "kornelius-koomu"),
                              ("reviewer.two@demilge.kg", "osh-mayors-office"), ("applicant.alay@demilge.kg", "mta-alay-1"),
                              ("applicant.edelweiss@demilge.kg", "mta-edelweiss")] {
            guard let user = try await User.query(on: db).filter(\.$email == email).first(),
                  let organisation = try await Organisation.query(on: db).filter(\.$slug == slug).first() else { continue }
            try await OrganisationMember(organisationID: (try organisation.requireID()), userID: (try user.requireID())).create(on: db)
        }
    }

    private static func call(_ title: String, _ programmeID: UUID, budget: Int64, range: (Int64, Int64), coFunding: Int, kinds: String,
                             territories: [UUID], deadline: Day, status: CallStatus, description: String) -> GrantCall {
        let call = GrantCall()
        call.$programme.id = programmeID
        call.title = title
        call.description = description
        call.budgetTyiyn = budget * 100
        call.minGrantTyiyn = range.0 * 100
        call.maxGrantTyiyn = range.1 * 100
        call.coFundingPercent = coFunding
        call.applicantKindsText = kinds
        call.territoryIDs = territories
        call.deadline = deadline
        call.documents = "Долбоордук өтүнмө\nБюджет\nКошумча каржылоо тууралуу кат\nЖамааттын жыйынынын протоколу"
        call.criteria = criteria
        call.minimumScore = 50
        call.status = status
        call.version = 1
        return call
    }

    private static func day(_ isoDay: String) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = Formatters.bishkek
        let parts = isoDay.split(separator: "-").compactMap { Int($0) }
        return calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2], hour: 10)) ?? Date()
    }

    private static func application(_ callID: UUID, organisation: Organisation, territoryID: UUID, problemID: UUID?, title: String, summary: String,
                                    lines: [BudgetLine], beneficiaries: Participants, on db: any Database) async throws -> GrantApplication {
        let application = GrantApplication()
        application.$call.id = callID
        application.$organisation.id = (try organisation.requireID())
        application.$territory.id = territoryID
        application.$problem.id = problemID
        application.title = title
        application.summary = summary
        application.goals = ""
        application.activities = []
        application.requestedTyiyn = BudgetLine.total(lines, from: .grant)
        application.totalTyiyn = BudgetLine.total(lines)
        application.beneficiaries = beneficiaries
        application.status = GrantStatus.draft
        application.version = 1
        try await application.create(on: db)
        for (index, line) in lines.enumerated() { try await GrantBudgetLine(applicationID: (try application.requireID()), position: index + 1, line: line).create(on: db) }
        return application
    }

    /// Walks an application along its lifecycle, each step checked and kept on its timeline.
    private static func walk(_ application: GrantApplication, _ steps: [(GrantStatus, GrantParty, String, String?)], by name: String, on db: any Database) async throws {
        for (to, party, isoDay, reason) in steps {
            let from = application.status
            if let refusal = GrantLifecycle.check(from: from, to: to, by: party, reason: reason ?? "") { throw SeedError.invalidGrantStep("\(refusal)") }
            try await GrantTransition(applicationID: (try application.requireID()), from: from, to: to, reason: reason, byName: name, at: day(isoDay)).create(on: db)
            application.status = to
            if to == .submitted { application.submittedAt = day(isoDay) }
            application.statusReason = reason
        }
        try await application.update(on: db)
        try await AuditLog.record(on: db, by: DemoData.actor, action: "grant.\(application.status)", entityType: "grant_application",
                                  entityID: application.idString, after: application.snapshot)
    }

    private static func counts(_ values: [Int]) -> Participants {
        var participants = Participants()
        for (index, (sex, band)) in Sex.allCases.flatMap({ sex in AgeBand.allCases.map { (sex, $0) } }).enumerated() { participants[sex, band] = values[index] }
        return participants
    }

    private static func cityCall(_ programme: Programme, _ osh: Territory, on db: any Database) async throws {
        let call = call(cityCallTitle, (try programme.requireID()), budget: 3_000_000, range: (300_000, 1_500_000), coFunding: 15, kinds: "municipality",
                        territories: [(try osh.requireID())], deadline: try Day(stored: "2022-06-10"), status: .decided,
                        description: "Ош шаарынын жаңы конуштарында комиссиялар аныктаган артыкчылыктуу көйгөйлөрдү чечүү үчүн муниципалдык аймактык башкармалыктарга чакан гранттар (seed 000).")
        try await call.create(on: db)
        let reviewers = try await ["reviewer.one@demilge.kg", "reviewer.two@demilge.kg"].asyncCompactMap { email in
            try await User.query(on: db).filter(\.$email == email).first()
        }
        var sheets: [GrantReviewer] = []
        for user in reviewers {
            let reviewer = GrantReviewer(callID: (try call.requireID()), userID: (try user.requireID()))
            reviewer.declaredAt = day("2022-06-14")
            try await reviewer.create(on: db)
            sheets.append(reviewer)
        }
        let manager = "Самара Бейшеналиева"
        for (index, seed) in cityApplications.enumerated() {
            guard let organisation = try await Organisation.query(on: db).filter(\.$slug == seed.organisation).first(),
                  let territory = try await Territory.query(on: db).filter(\.$code == seed.territory).first() else { continue }
            let problem = try await seed.problem.asyncFlatMap { title in try await Problem.query(on: db).filter(\.$title == title).first() }
            let measure = try await problem.asyncFlatMap { p in
                try await ActionMeasure.query(on: db).filter(\.$problem.$id == (try p.requireID())).filter(\.$source == FundingSource.grant).first()
            }
            let application = try await application((try call.requireID()), organisation: organisation, territoryID: (try territory.requireID()), problemID: problem?.id, title: seed.title,
                                                    summary: seed.summary, lines: seed.lines.map { BudgetLine(item: $0.0, source: $0.1, amountTyiyn: $0.2 * 100) },
                                                    beneficiaries: counts([200, 150, 210, 60, 190, 140, 190, 60]), on: db)
            application.activities = [.init(what: "Долбоордук документтер", from: "2022-05", to: "2022-06"),
                                      .init(what: "Иштерди аткаруу", from: "2022-07", to: "2022-10"), .init(what: "Ишке берүү жана жамаатка отчет", from: "2022-11", to: "2022-11")]
            application.goals = "Артыкчылыктуу көйгөйдү жамаат, муниципалитет жана Аракет долбоору бирге чечет."
            application.$measure.id = measure?.id
            try await walk(application, [(.submitted, .applicant, "2022-06-0\(3 + index)", nil), (.eligible, .programmeManager, "2022-06-13", nil),
                                         (.underReview, .programmeManager, "2022-06-13", nil)], by: organisation.nameKy, on: db)
            for (reviewer, scores) in zip(sheets, seed.scores) {
                guard let scores else {
                    try await GrantConflict(reviewerID: (try reviewer.requireID()), applicationID: (try application.requireID()), reason: "Жакын тууганым бул башкармалыкта иштейт").create(on: db)
                    continue
                }
                let sheet = GrantScoreSheet()
                sheet.$reviewer.id = (try reviewer.requireID())
                sheet.$application.id = (try application.requireID())
                sheet.scores = Dictionary(firstValues: zip(criteria.map(\.key), scores))
                sheet.comments = ["c1": "Көйгөй жамааттын артыкчылыктар тизмесинде.", "c4": scores[3] >= 7 ? "Смета негиздүү." : "Смета тактоону талап кылат."]
                try await sheet.create(on: db)
            }
            try await walk(application, [(.scored, .review, "2022-06-24", nil)], by: "Комиссия", on: db)
        }
        // Decide exactly as the call's page does: by the ranking within the budget.
        let board = try await CallBoard.load(call, on: db)
        for line in board.ranking() {
            guard let application = board.applications.first(where: { $0.idString == line.id }) else { continue }
            switch line.decision {
            case .funded: try await walk(application, [(.approved, .decision, "2022-06-28", nil)], by: manager, on: db)
            case .reserve(let position, _): try await walk(application, [(.reserve, .decision, "2022-06-28", "#\(position)")], by: manager, on: db)
            case .belowThreshold: try await walk(application, [(.rejected, .decision, "2022-06-28", "< 50")], by: manager, on: db)
            }
        }
        try await AuditLog.record(on: db, by: DemoData.actor, action: "grant_call.decided", entityType: "grant_call", entityID: call.idString, after: call.snapshot)
        if let manasAta = board.applications.first(where: { $0.title == manasAtaTitle }) { try await deliver(manasAta, manager: manager, on: db) }
    }

    private static func deliver(_ application: GrantApplication, manager: String, on db: any Database) async throws {
        let contract = GrantContract()
        contract.$application.id = (try application.requireID())
        contract.number = "АР-2022/01"
        contract.signedOn = try Day(stored: "2022-07-01")
        contract.startsOn = try Day(stored: "2022-07-01")
        contract.endsOn = try Day(stored: "2022-11-30")
        contract.amountTyiyn = 145_000_000
        contract.localBudgetTyiyn = 13_500_000
        contract.communityTyiyn = 18_000_000
        contract.otherTyiyn = 0
        try await contract.create(on: db)
        var tranches: [GrantTranche] = []
        for (number, plannedOn, som, condition) in [(1, "2022-07-05", Int64(870_000), "Келишимге кол коюлгандан кийин"),
                                                    (2, "2022-09-10", Int64(580_000), "Биринчи мониторингдин оң жыйынтыгынан кийин")] {
            let tranche = GrantTranche()
            tranche.$contract.id = (try contract.requireID())
            tranche.number = number
            tranche.plannedOn = try Day(stored: plannedOn)
            tranche.amountTyiyn = som * 100
            tranche.condition = condition
            try await tranche.create(on: db)
            tranches.append(tranche)
        }
        try await walk(application, [(.contracted, .programmeManager, "2022-07-01", contract.number)], by: manager, on: db)
        let payments: [(GrantTranche?, FundingSource, String, Int64, String)] = [
            (nil, .localBudget, "2022-06-20", 120_000, "Ош шаарынын бюджети: долбоордук-сметалык документтер"),
            (tranches[0], .grant, "2022-07-05", 870_000, "Төлөм тапшырмасы №118"), (tranches[1], .grant, "2022-09-12", 580_000, "Төлөм тапшырмасы №241"),
            (nil, .community, "2022-10-31", 180_000, "Ашар: үйлөргө туташтыруу казуулары"), (nil, .localBudget, "2022-11-30", 15_000, "Ош шаарынын бюджети: мониторинг"),
        ]
        for (tranche, source, paidOn, som, reference) in payments {
            let payment = GrantPayment()
            payment.$application.id = (try application.requireID())
            payment.$tranche.id = tranche?.id
            payment.source = source
            payment.paidOn = try Day(stored: paidOn)
            payment.amountTyiyn = som * 100
            payment.reference = reference
            try await payment.create(on: db)
        }
        try await walk(application, [(.inImplementation, .programmeManager, "2022-07-05", nil)], by: manager, on: db)
        for (title, dueOn) in [("Долбоордук-сметалык документтер", "2022-05-15"), ("Түтүк тартуу", "2022-09-30"),
                                 ("Үйлөргө туташтыруу", "2022-10-31"), ("Мониторинг жана жамаатка отчет", "2022-11-30")] {
            let milestone = GrantMilestone()
            milestone.$application.id = (try application.requireID())
            milestone.title = title
            milestone.dueOn = try Day(stored: dueOn)
            milestone.progress = 100
            milestone.note = ""
            milestone.version = 1
            try await milestone.create(on: db)
        }
        let visit = GrantVisit()
        visit.$application.id = (try application.requireID())
        visit.visitedOn = try Day(stored: "2022-09-05")
        visit.communityMembers = "Айбек Турсунов, Гүлзат Мамытова (демилгелүү топ)"
        visit.councilMembers = "Нурбек Осмонов (Ош шаардык кеңешинин депутаты)"
        visit.findings = "Түтүктүн 800 метри тартылды; иштер графикте. Жамаат жер казууга катышууда. Экинчи траншты бөлүүгө сунуш кылынат."
        visit.rating = 4
        visit.photos = []
        try await visit.create(on: db)
        let spent: [String: Int64] = ["Негизги түтүк 1,2 км: материалдар жана монтаж": 1_448_500, "Долбоордук-сметалык документтер": 120_000,
                                      "Үйлөргө туташтыруу казуулары (ашар)": 180_000, "Биргелешкен мониторинг жана жамаатка отчет": 15_000]
        for line in try await GrantBudgetLine.query(on: db).filter(\.$application.$id == (try application.requireID())).all() {
            line.spentTyiyn = (spent[line.item] ?? 0) * 100
            try await line.update(on: db)
        }
        let report = GrantReport()
        report.$application.id = (try application.requireID())
        report.submittedOn = try Day(stored: "2022-11-30")
        report.summary = "1,2 км түтүк тартылып, 186 үй ичүүчү сууга туташты. Гранттан 1 500 сом үнөмдөлдү."
        report.reached = counts([210, 150, 220, 60, 200, 140, 200, 60])
        try await report.create(on: db)
        try await walk(application, [(.completed, .programmeManager, "2022-12-05", nil), (.closed, .programmeManager, "2022-12-20", nil)], by: manager, on: db)
        try await publishPractice(of: application, on: db)
    }

    /// The closed grant, written up for other municipalities.
    private static func publishPractice(of application: GrantApplication, on db: any Database) async throws {
        let practice = Practice()
        practice.title = "Жаңы конушка ичүүчү суу: 1,2 км түтүк жамаат, мэрия жана чакан грант менен"
        practice.theme = ProblemCategory.water
        practice.$territory.id = application.$territory.id
        practice.$organisation.id = application.$organisation.id
        practice.$grant.id = application.id
        practice.whatWasDone = "ЖМБА-сессиясында бардык фокус-топтор ичүүчү сууну атады; комиссия аны негизги көйгөй катары тандап, биргелешкен иш-аракеттер планын түздү. Мэрия долбоордук-сметалык документтерди даярдады, Аракет долбоорунун чакан гранты менен 1,2 км негизги түтүк тартылды, үйлөргө туташтыруу казууларын жамаат ашар менен жүргүздү; 186 үй сууга туташты."
        practice.whatWorked = "Көйгөйдү жамаат өзү тандаганы; мэриянын өз салымы (документтер жана мониторинг) гранттан мурун бекитилгени; экинчи транш биргелешкен мониторингдин оң жыйынтыгынан кийин гана берилгени; жамааттын ашары үнөмдөөгө жардам берди."
        practice.contact = "Манас-Ата муниципалдык аймактык башкармалыгы, Ош шаары"
        practice.grantTyiyn = 144_850_000
        practice.localBudgetTyiyn = 13_500_000
        practice.communityTyiyn = 18_000_000
        practice.otherTyiyn = 0
        practice.publishedOn = try Day(stored: "2023-01-15")
        try await practice.create(on: db)
        try await AuditLog.record(on: db, by: DemoData.actor, action: "practice.publish", entityType: "practice", entityID: practice.idString, after: practice.snapshot)
    }

    /// Seed 004 names the 25 civil-society grantees and their projects but not the amounts: each is shown with an
    /// equal share of an illustrative budget, as the call's description says.
    private static func csoCall(_ programme: Programme, on db: any Database) async throws {
        let grantees = try await ProgrammeGrantee.query(on: db).filter(\.$programme.$id == (try programme.requireID())).with(\.$organisation).all()
        guard !grantees.isEmpty else { return }
        let share: Int64 = 400_000
        let call = call(csoCallTitle, (try programme.requireID()), budget: share * Int64(grantees.count), range: (100_000, share), coFunding: 0, kinds: "cso",
                        territories: [], deadline: try Day(stored: "2021-09-30"), status: .decided,
                        description: "Жергиликтүү жарандык коом үчүн потенциалдуу чыр-чатактарды эффективдүүрөөк алдын алуу боюнча инклюзивдүү демилгелерге 25 грант (seed 004). Булак ар бир гранттын суммасын жарыялаган эмес: бул жерде суммалар шарттуу, бюджеттин бирдей үлүшү катары көрсөтүлдү.")
        try await call.create(on: db)
        for grantee in grantees {
            let application = try await application((try call.requireID()), organisation: grantee.organisation, territoryID: grantee.$territory.id, problemID: nil,
                                                    title: grantee.titleKy, summary: grantee.goalKy,
                                                    lines: [BudgetLine(item: "Долбоордун иш-чаралары", source: .grant, amountTyiyn: share * 100)],
                                                    beneficiaries: Participants(), on: db)
            try await walk(application, [(.submitted, .applicant, "2021-09-30", nil), (.eligible, .programmeManager, "2021-10-05", nil),
                                         (.underReview, .programmeManager, "2021-10-05", nil), (.scored, .review, "2021-10-20", nil),
                                         (.approved, .decision, "2021-11-01", "«Ынтымактуу Жашоо» долбоорунун маалыматы боюнча (seed 004)")],
                           by: "International Alert", on: db)
        }
        try await AuditLog.record(on: db, by: DemoData.actor, action: "grant_call.decided", entityType: "grant_call", entityID: call.idString, after: call.snapshot)
    }
}

extension Sequence {
    func asyncCompactMap<T>(_ transform: (Element) async throws -> T?) async rethrows -> [T] {
        var result: [T] = []
        for element in self { if let value = try await transform(element) { result.append(value) } }
        return result
    }
}
