import DemilgeCore
import Fluent
import Vapor

extension NationalData {
    /// Calls of the demo programmes, applications from generated organisations (each once per call), and for the
    /// awarded ones their contract, two tranches, the money paid in and monitoring visits.
    mutating func grants() async throws {
        let programmes = try await Programme.query(on: app.db).sort(\.$slug).all().compactMap(\.id)
        guard !programmes.isEmpty, !organisations.isEmpty else { return }
        var calls = BulkWriter<GrantCall>(app)
        var callIDs: [(id: UUID, open: Bool, min: Int64, max: Int64, deadline: Day)] = []
        // Enough calls that every application is a different organisation's in its call.
        let callCount = max(scale.calls, (scale.applications + organisations.count - 1) / organisations.count)
        for n in 0..<callCount {
            let call = GrantCall()
            let id = random.uuid()
            call.id = id
            call.$programme.id = programmes[n % programmes.count]
            let open = n % 10 == 9
            let deadline = open ? (Day(year: 2027, month: 3, day: 31) ?? firstDay) : day()
            call.title = "Жергиликтүү демилгелер \(deadline.year) — \(n + 1)"
            call.description = "Айылдардын маселелерин чечүүгө чакан гранттар."
            call.budgetTyiyn = Int64(random.int(in: 5...50)) * 100_000_000
            call.minGrantTyiyn = 20_000_000
            call.maxGrantTyiyn = 150_000_000
            call.coFundingPercent = 10
            call.applicantKindsText = "cso"
            call.territoryIDs = []
            call.deadline = deadline
            call.documents = ""
            call.criteria = [.init(key: "need", name: "Маанилүүлүгү", weight: 60, max: 10), .init(key: "plan", name: "Пландын сапаты", weight: 40, max: 10)]
            call.minimumScore = 50
            call.status = open ? .open : .decided
            call.version = 1
            calls.add(call)
            callIDs.append((id, open, call.minGrantTyiyn, call.maxGrantTyiyn, deadline))
        }
        try await calls.flush()
        var applications = BulkWriter<GrantApplication>(app)
        var lines = BulkWriter<GrantBudgetLine>(app)
        var transitions = BulkWriter<GrantTransition>(app)
        var contracts = BulkWriter<GrantContract>(app)
        var tranches = BulkWriter<GrantTranche>(app)
        var payments = BulkWriter<GrantPayment>(app)
        var visits = BulkWriter<GrantVisit>(app)
        let decided: [GrantStatus] = [.rejected, .rejected, .rejected, .reserve, .approved, .contracted, .inImplementation, .inImplementation,
                                      .completed, .completed, .closed]
        let count = min(scale.applications, callIDs.count * organisations.count)
        for n in 0..<count {
            let call = callIDs[n % callIDs.count]
            let organisation = organisations[(n / callIDs.count) % organisations.count]
            let application = GrantApplication()
            let id = random.uuid()
            application.id = id
            application.$call.id = call.id
            application.$organisation.id = organisation.id
            application.$territory.id = organisation.territory
            application.title = random.pick(NationalNames.projectKinds)
            application.summary = "Коом менен бирге ишке ашырылуучу долбоор."
            application.goals = "Айылдын турмушун жакшыртуу"
            application.activities = [.init(what: "Иш-чаралар", from: "\(call.deadline.year)-07", to: "\(call.deadline.year)-10")]
            let requested = Int64(random.int(in: Int(call.min / 1_000_000)...Int(call.max / 1_000_000))) * 1_000_000
            application.requestedTyiyn = requested
            application.totalTyiyn = requested + requested / 9
            var served = Participants()
            served[.female, .from30to59] = random.int(in: 20...400)
            served[.male, .from30to59] = random.int(in: 20...400)
            application.beneficiaries = served
            let status: GrantStatus = call.open ? (n % 3 == 0 ? .draft : .submitted) : random.pick(decided)
            application.status = status
            application.submittedAt = status == .draft ? nil : call.deadline.adding(days: -3).noon
            application.version = 1
            applications.add(application)
            lines.add(GrantBudgetLine(applicationID: id, position: 0, line: BudgetLine(item: "Материалдар", source: .grant, amountTyiyn: requested)))
            lines.add(GrantBudgetLine(applicationID: id, position: 1, line: BudgetLine(item: "Эмгек (ашар)", source: .community, amountTyiyn: requested / 9)))
            if status != .draft {
                transitions.add(GrantTransition(applicationID: id, from: .draft, to: .submitted, reason: nil, byName: "Уюм", at: call.deadline.adding(days: -3).noon))
                try await audit.record("grant.submitted", "grant_application", id, at: call.deadline.adding(days: -3).noon)
            }
            if status != .draft && status != .submitted {
                transitions.add(GrantTransition(applicationID: id, from: .submitted, to: status, reason: nil, byName: "Комиссия", at: call.deadline.adding(days: 30).noon))
            }
            if [.contracted, .inImplementation, .completed, .closed].contains(status) {
                try await contract(id, number: n + 1, amount: requested, community: requested / 9, signed: call.deadline.adding(days: 45), status: status,
                                   contracts: &contracts, tranches: &tranches, payments: &payments, visits: &visits)
            }
            if applications.isFull || lines.isFull || transitions.isFull || contracts.isFull || tranches.isFull || payments.isFull || visits.isFull {
                try await applications.flush(); try await lines.flush(); try await transitions.flush(); try await contracts.flush()
                try await tranches.flush(); try await payments.flush(); try await visits.flush()
                progress("grant applications", n, count)
            }
        }
        try await applications.flush(); try await lines.flush(); try await transitions.flush(); try await contracts.flush()
        try await tranches.flush(); try await payments.flush(); try await visits.flush()
        report.counts += [("grant calls", calls.written), ("grant applications", applications.written), ("contracts", contracts.written),
                          ("payments", payments.written), ("monitoring visits", visits.written)]
    }

    private mutating func contract(_ application: UUID, number: Int, amount: Int64, community: Int64, signed: Day, status: GrantStatus,
                                   contracts: inout BulkWriter<GrantContract>, tranches: inout BulkWriter<GrantTranche>,
                                   payments: inout BulkWriter<GrantPayment>, visits: inout BulkWriter<GrantVisit>) async throws {
        let contract = GrantContract()
        let contractID = random.uuid()
        contract.id = contractID
        contract.$application.id = application
        contract.number = "GEN-\(number)"
        contract.signedOn = signed
        contract.startsOn = signed.adding(days: 5)
        contract.endsOn = signed.adding(days: 180)
        contract.amountTyiyn = amount
        contract.localBudgetTyiyn = 0
        contract.communityTyiyn = community
        contract.otherTyiyn = 0
        contracts.add(contract)
        try await audit.record("grant.contracted", "grant_application", application, at: signed.noon)
        let first = amount * 6 / 10
        let paidTranches = status == .contracted ? 0 : status == .inImplementation ? 1 : 2
        for (index, part) in [first, amount - first].enumerated() {
            let tranche = GrantTranche()
            let trancheID = random.uuid()
            tranche.id = trancheID
            tranche.$contract.id = contractID
            tranche.number = index + 1
            tranche.plannedOn = signed.adding(days: 10 + 90 * index)
            tranche.amountTyiyn = part
            tranche.condition = index == 0 ? "Келишимге кол коюлганда" : "Мониторингден кийин"
            tranches.add(tranche)
            guard index < paidTranches else { continue }
            let payment = GrantPayment()
            payment.id = random.uuid()
            payment.$application.id = application
            payment.$tranche.id = trancheID
            payment.source = .grant
            payment.paidOn = tranche.plannedOn
            payment.amountTyiyn = part
            payment.reference = "PP-\(number)-\(index + 1)"
            payments.add(payment)
        }
        guard status != .contracted else { return }
        let visit = GrantVisit()
        visit.id = random.uuid()
        visit.$application.id = application
        visit.visitedOn = signed.adding(days: 100)
        visit.communityMembers = NationalNames.person(&random)
        visit.councilMembers = NationalNames.person(&random)
        visit.findings = "Иштер план боюнча жүрүүдө."
        visit.rating = random.int(in: 3...5)
        visit.photos = []
        visits.add(visit)
        try await audit.record("grant.visit", "grant_application", application, at: visit.visitedOn.noon)
    }
}
