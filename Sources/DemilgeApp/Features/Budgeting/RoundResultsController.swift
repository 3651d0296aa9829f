import DemilgeCore
import Fluent
import Vapor

/// Results of a round under its rule, explained project by project and to each voter; the round as a
/// pabulib file; and a new round made from a pabulib file.
struct RoundResultsController: RouteCollection {
    /// Equal-shares explanations replay every payment exactly; beyond this many ballots the page
    /// shows the outcome without them.
    static let explainedBallots = 20_000

    func boot(routes: any RoutesBuilder) throws {
        routes.get("rounds", ":id", "results", use: results)
        routes.get("rounds", ":id", "round.pb", use: export)
        routes.get("rounds", "import", use: importForm)
        routes.on(.POST, "rounds", "import", body: .collect(maxSize: BodyLimits.pabulibUpload), use: importFile)
    }

    private func visible(_ req: Request, _ round: BudgetRound) async throws -> Bool {
        if round.roundStatus == .published { return true }
        guard round.roundStatus == .counting else { return false }
        return req.can(.manageBudgetRound, on: try await BudgetRoundController.target(round, req))
    }

    struct Row: Encodable {
        let code: String, title: String, online: Int, paper: Int, imported: Int, total: Int
        let cost: String, share: String, funded: Bool, otherFunded: Bool, why: String, mine: Bool, myPayment: String
    }

    struct Content: Encodable {
        let id: String, title: String, territory: TerritoryLink, envelope: String, rule: String, otherRule: String
        let online: Int, paper: Int, imported: Int, pointsWord: Bool
        let rows: [Row]
        let spent: String, left: String
        let explained: Bool
        let voted: Bool
        let myFunded: [String]
        let myUnfunded: [String]
        let hasMyFunded: Bool
        let hasMyUnfunded: Bool
        let yourShare: String
        let status: String
        let heading: String
        let comparison: String
    }

    /// The rule people compare with: equal shares for greedy rounds, greedy for equal-shares ones.
    static func comparison(for rule: BudgetingRule, _ type: BallotType) -> BudgetingRule {
        if rule.isEqualShares { return type == .cumulative && rule == .mesAdditiveCardinalSat ? .greedyPoints : .greedyCostSat }
        return type == .cumulative && rule == .greedyPoints ? .mesAdditiveCardinalSat : .mesCostSatAddOneGreedy
    }

    func results(req: Request) async throws -> Response {
        let round = try await BudgetRoundController.load(req)
        guard try await visible(req, round) else { throw DemilgeError.notFound }
        let data = try await RoundData.load(round, on: req.db)
        let instance = data.instance
        let rule = round.outcomeRule
        let explained = data.ballots.count <= Self.explainedBallots
        let account = explained ? OutcomeAccount.explain(instance, rule: rule) : nil
        let outcome = account?.outcome ?? rule.outcome(instance)
        let other = Self.comparison(for: rule, round.type)
        let otherOutcome = other.outcome(instance)
        let funded = Set(outcome.selected), otherFunded = Set(otherOutcome.selected)
        let (online, paper, imported) = (data.votes(.online), data.votes(.paper), data.votes(.imported))
        let language = req.language
        func money(_ value: Rational) -> String { Money(som: value).formatted(language) }
        let me = req.actor.userID.flatMap { id in data.ballots.firstIndex { $0.channel == .online && $0.voter == id } }
        let myChoices = Set(me.map { data.ballots[$0].choices.map(\.project) } ?? [])
        let myPayments = me.flatMap { index in account?.payments.isEmpty == false ? account!.payments[index] : nil } ?? []
        let rows = data.projects.indices.map { index -> Row in
            let project = data.projects[index]
            let paid = myPayments.first { $0.project == index }?.amount
            return Row(code: project.code, title: project.title, online: online[index], paper: paper[index], imported: imported[index],
                       total: online[index] + paper[index] + imported[index], cost: Money(minorUnits: project.costTyiyn).formatted(language),
                       share: Self.percent(project.costTyiyn, of: round.envelopeTyiyn, language),
                       funded: funded.contains(index), otherFunded: otherFunded.contains(index),
                       why: account.map { Self.why($0.verdicts[index], data, req) } ?? "",
                       mine: myChoices.contains(index), myPayment: paid.map(money) ?? "")
        }.sorted { ($0.funded ? 0 : 1, -$0.total) < ($1.funded ? 0 : 1, -$1.total) }
        let envelope = Money(minorUnits: round.envelopeTyiyn).som
        return try await req.page("rounds/results", titleKey: "results.title", titleArguments: ["round": round.title], Content(
            id: round.id!.uuidString.lowercased(), title: round.title, territory: TerritoryLink(round.territory, language, catalog: req.application.catalog),
            envelope: Money(minorUnits: round.envelopeTyiyn).formatted(language), rule: req.t("rule.\(rule.rawValue)"), otherRule: req.t("rule.\(other.rawValue)"),
            online: data.count(.online), paper: data.count(.paper), imported: data.count(.imported), pointsWord: round.type == .cumulative,
            rows: rows, spent: money(outcome.cost), left: money(envelope - outcome.cost),
            explained: explained, voted: me != nil,
            myFunded: myChoices.filter { funded.contains($0) }.sorted().map { data.projects[$0].title },
            myUnfunded: myChoices.filter { !funded.contains($0) }.sorted().map { data.projects[$0].title },
            hasMyFunded: myChoices.contains { funded.contains($0) }, hasMyUnfunded: myChoices.contains { !funded.contains($0) },
            yourShare: account?.perVoterBudget.map { req.t("results.your_share", ["money": money($0)]) } ?? "",
            status: req.t(round.roundStatus.catalogKey), heading: req.t("results.title", ["round": round.title]),
            comparison: req.t("results.comparison", ["other": req.t("rule.\(other.rawValue)"), "spent": money(otherOutcome.cost),
                                                     "count": String(otherOutcome.selected.count)])))
    }

    static func percent(_ part: Int64, of whole: Int64, _ language: Language) -> String {
        guard whole > 0 else { return "—" }
        let tenths = (part * 1000 + whole / 2) / whole
        return Formatters.decimal(Decimal(tenths) / 10, fractionDigits: 1, language) + "%"
    }

    /// The verdict in plain words, in the reader's language.
    static func why(_ verdict: OutcomeAccount.Verdict, _ data: RoundData, _ req: Request) -> String {
        func money(_ value: Rational) -> String { Money(som: value).formatted(req.language) }
        switch verdict {
        case .fundedInTurn(let left): return req.t("why.greedy_funded", ["left": money(left)])
        case .notFundedInTurn(let left): return req.t("why.greedy_not_funded", ["left": money(left)])
        case let .fundedByEqualShares(supporters, fullPayers, share):
            // On cumulative ballots with points as utility the share is per point given.
            let perPoint = data.round.outcomeRule == .mesAdditiveCardinalSat
            let arguments = ["supporters": String(supporters), "full": String(fullPayers), "others": String(supporters - fullPayers), "share": money(share)]
            if fullPayers == 0 { return req.t(perPoint ? "why.mes_equal_points" : "why.mes_equal", arguments) }
            return req.t(perPoint ? "why.mes_capped_points" : "why.mes_capped", arguments)
        case .fundedByCompletion(let left): return req.t("why.completion", ["left": money(left)])
        case let .notFundedByEqualShares(left, cost, spent, mostOn):
            var text = req.t("why.mes_not_funded", ["left": money(left), "cost": money(cost)])
            if let mostOn, !spent.isZero {
                text += " " + req.t("why.mes_spent_on", ["spent": money(spent), "project": data.projects[mostOn].title])
            }
            return text
        case .noSupporters: return req.t("why.no_supporters")
        }
    }

    // MARK: - pabulib

    func export(req: Request) async throws -> Response {
        let round = try await BudgetRoundController.load(req)
        let staff = req.can(.manageBudgetRound, on: try await BudgetRoundController.target(round, req))
        guard round.roundStatus == .published || staff else { throw DemilgeError.notFound }
        let data = try await RoundData.load(round, on: req.db)
        let selected = round.roundStatus == .published || round.roundStatus == .counting ? Set(round.outcomeRule.outcome(data.instance).selected) : []
        let text = data.pabulib(territoryName: round.territory.name.display(.ky).text, selected: selected)
        let response = Response(status: .ok, body: .init(string: text))
        response.headers.contentType = HTTPMediaType(type: "text", subType: "plain", parameters: ["charset": "utf-8"])
        response.headers.contentDisposition = .init(.attachment, filename: "demilge-round-\(round.id!.uuidString.lowercased().prefix(8)).pb")
        return response
    }

    struct ImportContent: Encodable {
        let form: FormState
        let places: [AccountController.PlaceGroup]
        let rules: [ProblemController.Option]
    }

    private func renderImport(_ req: Request, _ form: FormState, status: HTTPResponseStatus = .ok) async throws -> Response {
        try await req.page("rounds/import", titleKey: "rounds.import", ImportContent(
            form: form, places: try await AccountController.placeGroups(req, selected: form["territory"], includeTopLevel: true),
            rules: BudgetRoundController.ruleOptions(req, selected: form["rule"].isEmpty ? BudgetingRule.mesCostSatAddOneGreedy.rawValue : form["rule"])),
            forms: true, status: status)
    }

    func importForm(req: Request) async throws -> Response {
        guard Policy.allowsSomewhere(req.actor, .manageBudgetRound) else { throw req.actor.isSignedIn ? DemilgeError.forbidden : DemilgeError.signInRequired }
        return try await renderImport(req, FormState())
    }

    /// Creates a round in counting from a .pb file: its projects, its ballots (as imported), its budget.
    func importFile(req: Request) async throws -> Response {
        guard req.actor.isSignedIn else { throw DemilgeError.signInRequired }
        var form = FormState.read(req, fields: ["territory", "title", "description", "rule", "opens_on", "closes_on"])
        let territory = try await BudgetRoundController.readSettings(req, &form)
        let file = try? req.content.get(File.self, at: "file")
        var instance: BudgetingInstance? = nil
        if let file, file.data.readableBytes > 0 {
            switch Self.read(String(decoding: Data(buffer: file.data), as: UTF8.self), req) {
            case .success(let read): instance = read
            case .failure(let message): form.fail("file", message.text)
            }
        } else {
            form.fail("file", req.t("validation.required"))
        }
        let type: BallotType = instance?.voteType == .cumulative ? .cumulative : .approval
        let rule = BudgetingRule(rawValue: form["rule"])
        if rule == nil || !type.rules.contains(rule!) { form.fail("rule", req.t("rounds.rule_not_for_ballot")) }
        let denied = form.errors["territory"] == req.t("rounds.not_your_territory")
        guard form.isValid, let territory, let instance, let rule else { return try await renderImport(req, form, status: denied ? .forbidden : .unprocessableEntity) }
        let round = BudgetRound(territoryID: territory.id!, title: form["title"], description: form["description"], envelopeTyiyn: Self.tyiyn(instance.budget)!,
                                type: type, rule: rule, status: .counting, window: (form["opens_on"], form["closes_on"]), imported: true)
        if type == .cumulative { round.pointsTotal = instance.ballots.map { $0.points.reduce(0, +) }.max() }
        try await req.write { db in
            try await round.create(on: db)
            var projectIDs: [UUID] = []
            for project in instance.projects {
                let record = BudgetProject()
                record.$round.id = round.id!
                record.code = project.id
                record.title = project.name ?? project.id
                record.description = ""
                record.costTyiyn = Self.tyiyn(project.cost)!
                try await record.create(on: db)
                projectIDs.append(record.id!)
            }
            try await Self.insertImportedBallots(instance, roundID: round.id!, projectIDs: projectIDs, on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "round.import", entityType: "round", entityID: round.id!.uuidString.lowercased(),
                                      after: ["title": round.title, "projects": String(instance.projects.count), "ballots": String(instance.ballots.count)])
        }
        req.flash("import.done")
        return req.redirect(to: BudgetRoundController.path(round), redirectType: .normal)
    }

    /// Bulk inserts: an imported city round can hold tens of thousands of ballots.
    static func insertImportedBallots(_ instance: BudgetingInstance, roundID: UUID, projectIDs: [UUID], on db: any Database) async throws {
        var ballots: [BudgetBallot] = []
        var choices: [BallotChoiceRecord] = []
        for ballot in instance.ballots {
            let record = BudgetBallot(roundID: roundID, voterID: nil, channel: .imported)
            record.id = UUID()
            ballots.append(record)
            for (position, project) in ballot.projects.enumerated() {
                let choice = BallotChoiceRecord(ballotID: record.id!, projectID: projectIDs[project], points: ballot.points[position])
                choice.id = UUID()
                choices.append(choice)
            }
        }
        for chunk in stride(from: 0, to: ballots.count, by: 500) { try await Array(ballots[chunk..<min(chunk + 500, ballots.count)]).create(on: db) }
        for chunk in stride(from: 0, to: choices.count, by: 500) { try await Array(choices[chunk..<min(chunk + 500, choices.count)]).create(on: db) }
    }

    static func tyiyn(_ amount: Rational) -> Int64? { Money(exactSom: amount)?.minorUnits }

    struct ImportMessage: Error { let text: String }

    static func read(_ text: String, _ req: Request) -> Result<BudgetingInstance, ImportMessage> {
        let instance: BudgetingInstance
        do {
            instance = try PabulibReader.parse(text)
        } catch {
            return .failure(ImportMessage(text: req.t("import.bad_file", ["line": String(error.line), "reason": error.reason])))
        }
        if let problem = importProblem(instance) { return .failure(ImportMessage(text: req.t(problem))) }
        return .success(instance)
    }

    static func importProblem(_ instance: BudgetingInstance) -> String? {
        if instance.projects.isEmpty { return "import.no_projects" }
        if tyiyn(instance.budget) == nil || instance.projects.contains(where: { tyiyn($0.cost) == nil }) { return "import.fractional_amounts" }
        if instance.ballots.count > 200_000 { return "import.too_many_ballots" }
        return nil
    }
}
