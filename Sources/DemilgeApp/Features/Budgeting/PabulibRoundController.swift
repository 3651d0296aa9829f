import DemilgeCore
import Fluent
import Vapor

/// A round as a pabulib file, and a new round made from a pabulib file.
struct PabulibRoundController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("rounds", ":id", "round.pb", use: export)
        routes.get("rounds", "import", use: importForm)
        routes.on(.POST, "rounds", "import", body: .collect(maxSize: BodyLimits.pabulibUpload), use: importFile)
    }

    /// The round as a pabulib file, once its ballots are final: for staff while counting, for everyone once published.
    func export(req: Request) async throws -> Response {
        let round = try await RoundAccess.load(req)
        guard try await RoundAccess.resultsVisible(req, round) else { throw DemilgeError.notFound }
        let roundID = try round.requireID()
        let data = try await RoundData.load(round, on: req.db)
        let stored = try await RoundResultStore.load(roundID, on: req.db)
        let winners = Set(stored?.selected ?? [])
        let selected = Set(data.projects.indices.filter { winners.contains(data.projects[$0].code) })
        let key = try await ServerKeys.key("ballot-order:\(roundID.uuidString)", app: req.application, on: req.db)
        let text = data.pabulib(territoryName: round.territory.name.display(.ky).text, selected: selected) { ServerKeys.order($0, key: key) }
        let response = Response(status: .ok, body: .init(string: text))
        response.headers.contentType = HTTPMediaType(type: "text", subType: "plain", parameters: ["charset": "utf-8"])
        response.headers.contentDisposition = .init(.attachment, filename: "demilge-round-\(roundID.uuidString.lowercased().prefix(8)).pb")
        return response
    }

    /// The import form asks what the new-round form asks, but the ballot type, which the file gives.
    private func renderImport(_ req: Request, _ form: FormState, status: HTTPResponseStatus = .ok) async throws -> Response {
        try await req.page("rounds/import", titleKey: "rounds.import", try await RoundFormPage.build(req, form), forms: true, status: status)
    }

    func importForm(req: Request) async throws -> Response {
        guard Policy.allowsSomewhere(req.actor, .manageBudgetRound) else { throw req.actor.isSignedIn ? DemilgeError.forbidden : DemilgeError.signInRequired }
        return try await renderImport(req, FormState())
    }

    /// Creates a round in counting from a .pb file: its projects, its ballots (as imported), its budget. The user must
    /// be allowed to run rounds in the chosen territory before the file is read at all, and the file is read in
    /// linear time within `PabulibReader.Limits`.
    func importFile(req: Request) async throws -> Response {
        guard req.actor.isSignedIn else { throw DemilgeError.signInRequired }
        guard Policy.allowsSomewhere(req.actor, .manageBudgetRound) else { throw DemilgeError.forbidden }
        var form = FormState.read(req, fields: ["territory", "title", "description", "rule", "opens_on", "closes_on"])
        let territory = try await RoundSettings.read(req, &form)
        if form.refusal == .forbidden { return try await renderImport(req, form, status: form.status) }
        var instance: BudgetingInstance? = nil
        if territory != nil {
            if let file = try? req.content.get(File.self, at: "file"), file.data.readableBytes > 0 {
                switch Self.read(String(decoding: file.data.readableBytesView, as: UTF8.self), req) {
                case .success(let read): instance = read
                case .failure(let message): form.fail("file", message.text)
                }
            } else {
                form.fail("file", req.t("validation.required"))
            }
        }
        let type: BallotType = instance?.voteType == .cumulative ? .cumulative : .approval
        let rule = BudgetingRule(rawValue: form["rule"])
        if let rule, type.rules.contains(rule) {} else { form.fail("rule", req.t("rounds.rule_not_for_ballot")) }
        guard form.isValid, let territory, let instance, let rule, let envelope = Self.tyiyn(instance.budget) else {
            return try await renderImport(req, form, status: .unprocessableEntity)
        }
        let costs = instance.projects.compactMap { Self.tyiyn($0.cost) }
        guard costs.count == instance.projects.count else { return try await renderImport(req, form, status: .unprocessableEntity) }
        // Counted before anything is stored: a file whose rule cannot be computed within its bound is refused whole.
        let result: RoundResult
        do {
            let computed = try RoundResultComputer.compute(instance, rule: rule, comparison: RoundResultStore.comparison(for: rule, type),
                                                           codes: instance.projects.map(\.id), channels: instance.ballots.map { _ in BudgetBallot.Channel.imported.rawValue },
                                                           maximumAddOneRuns: req.application.maximumAddOneRuns)
            result = computed.result
        } catch {
            form.fail("rule", req.t("rounds.rule_too_large", ["rule": req.t("rule.\(error.rule.rawValue)"), "runs": String(error.runs)]))
            return try await renderImport(req, form, status: .unprocessableEntity)
        }
        let round = BudgetRound(territoryID: try territory.requireID(), title: form["title"], description: form["description"], envelopeTyiyn: envelope,
                                type: type, rule: rule, status: .counting, window: (try Day(stored: form["opens_on"]), try Day(stored: form["closes_on"])), imported: true)
        if type == .cumulative { round.pointsTotal = instance.ballots.map { $0.points.saturatingSum() }.max() }
        try await req.write { db in
            try await round.create(on: db)
            let roundID = try round.requireID()
            var projectIDs: [UUID] = []
            for (project, cost) in zip(instance.projects, costs) {
                let record = BudgetProject()
                record.$round.id = roundID
                record.code = project.id
                record.title = project.name ?? project.id
                record.description = ""
                record.costTyiyn = cost
                try await record.create(on: db)
                projectIDs.append(try record.requireID())
            }
            try await Self.insertImportedBallots(instance, roundID: roundID, projectIDs: projectIDs, on: db)
            try await (try RoundResultRecord(roundID: roundID, result: result)).create(on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "round.import", entityType: "round", entityID: roundID.uuidString.lowercased(),
                                      after: ["title": round.title, "projects": String(instance.projects.count), "ballots": String(instance.ballots.count)])
        }
        req.flash("import.done")
        return req.redirect(to: .round(round.id))
    }

    /// Bulk inserts: an imported city round can hold tens of thousands of ballots.
    static func insertImportedBallots(_ instance: BudgetingInstance, roundID: UUID, projectIDs: [UUID], on db: any Database) async throws {
        var ballots: [BudgetBallot] = []
        var choices: [BallotChoiceRecord] = []
        for ballot in instance.ballots {
            let record = BudgetBallot(roundID: roundID, voterID: nil, channel: .imported)
            let ballotID = UUID()
            record.id = ballotID
            ballots.append(record)
            for (position, project) in ballot.projects.enumerated() where projectIDs.indices.contains(project) && ballot.points.indices.contains(position) {
                let choice = BallotChoiceRecord(ballotID: ballotID, projectID: projectIDs[project], points: ballot.points[position])
                choice.id = UUID()
                choices.append(choice)
            }
        }
        try await ballots.create(on: db, batchesOf: 500)
        try await choices.create(on: db, batchesOf: 500)
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
        let amounts = [instance.budget] + instance.projects.map(\.cost)
        if amounts.contains(where: { ($0 * Rational(100)).denominator != 1 }) { return "import.fractional_amounts" }
        if amounts.contains(where: { tyiyn($0) == nil }) { return "import.amount_too_large" }
        if instance.ballots.count > PabulibReader.Limits.standard.ballots { return "import.too_many_ballots" }
        return nil
    }
}
