import DemilgeCore
import Fluent
import Vapor

/// Paper ballots from village meetings, entered twice: a batch counts only when both entries agree.
struct PaperBallotController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("rounds", ":id", "paper", use: index)
        routes.post("rounds", ":id", "paper", use: create)
        routes.post("rounds", ":id", "paper", ":batch", use: enter)
    }

    struct BatchView: Encodable {
        struct Mismatch: Encodable { let ballot: Int; let first: String; let second: String }
        let id: String, label: String, status: String, statusKey: String, ballots: Int, version: Int
        let firstBy: String, secondBy: String
        let mismatches: [Mismatch]
        let hasMismatches: Bool
        let awaitingSecond: Bool
        let correctable: Bool
    }

    struct Content: Encodable {
        let id: String, title: String, territory: TerritoryLink, syntax: String, codes: [Option]
        let batches: [BatchView]
        let canEnter: Bool
        let form: FormState
        let formName: String
        let lineErrors: [String]
        let hasLineErrors: Bool
    }

    private func authorize(_ req: Request, _ round: BudgetRound) async throws {
        try req.authorize(.enterPaperBallots, on: try await RoundAccess.target(round, req))
    }

    func index(req: Request) async throws -> Response {
        let round = try await RoundAccess.load(req)
        try await authorize(req, round)
        return try await render(req, round)
    }

    private func render(_ req: Request, _ round: BudgetRound, form: FormState = FormState(), formName: String = "", lineErrors: [String] = [],
                        status: HTTPResponseStatus = .ok) async throws -> Response {
        let data = try await RoundData.load(round, on: req.db, ballots: .none)
        let batches = try await PaperBatch.query(on: req.db).filter(\.$round.$id == (try round.requireID())).with(\.$firstBy).with(\.$secondBy).sort(\.$createdAt).all()
        let views = batches.map { batch -> BatchView in
            let first = Self.read(batch.firstEntry, data).ballots
            let second = batch.secondEntry.map { Self.read($0, data).ballots }
            let mismatches = second.map { PaperBallots.mismatches(first, $0) } ?? []
            return BatchView(id: batch.idString, label: batch.label, status: req.t("paper.status.\(batch.status)"), statusKey: batch.status.rawValue,
                             ballots: first.count, version: batch.version, firstBy: batch.firstBy?.displayName ?? "", secondBy: batch.secondBy?.displayName ?? "",
                             mismatches: mismatches.map { .init(ballot: $0.ballot, first: PaperBallots.format($0.first, codes: data.codes, type: round.type),
                                                                 second: PaperBallots.format($0.second, codes: data.codes, type: round.type)) },
                             hasMismatches: !mismatches.isEmpty,
                             awaitingSecond: batch.status.rawValue == PaperBatch.Status.awaitingSecond.rawValue,
                             correctable: batch.status.rawValue == PaperBatch.Status.mismatch.rawValue)
        }
        return try await req.page("rounds/paper", titleKey: "paper.title", Content(
            id: round.idString, title: round.title, territory: TerritoryLink(round.territory, req.language, catalog: req.application.catalog),
            syntax: req.t(round.type == .cumulative ? "paper.syntax_points" : "paper.syntax"),
            codes: data.projects.map { .init(value: $0.code, label: $0.title, selected: false) },
            batches: views, canEnter: round.acceptsPaper(on: Day.today()), form: form, formName: formName, lineErrors: lineErrors,
            hasLineErrors: !lineErrors.isEmpty), forms: true, status: status)
    }

    static func read(_ text: String, _ data: RoundData) -> (ballots: [[BallotChoice]], errors: [PaperBallots.LineError]) {
        PaperBallots.read(text, codes: data.codes, design: data.round.design, costs: data.costs)
    }

    static func describe(_ error: PaperBallots.LineError, _ req: Request) -> String {
        let problem: String
        switch error.problem {
        case .unknownProject(let code): problem = req.t("paper.unknown_project", ["code": code])
        case .unreadable(let item): problem = req.t("paper.unreadable", ["item": item])
        case .ballot(let ballotProblem): problem = BallotController.describe(ballotProblem, req)
        }
        return req.t("paper.line", ["line": String(error.line), "problem": problem])
    }

    /// Checks an entry; nil and the messages when it cannot be accepted.
    private func check(_ req: Request, _ data: RoundData, _ form: inout FormState) -> [String] {
        form.requireText("ballots", length: 1...200_000, req)
        let (ballots, errors) = Self.read(form["ballots"], data)
        if errors.isEmpty && ballots.isEmpty && form.errors["ballots"] == nil { form.fail("ballots", req.t("validation.required")) }
        if !errors.isEmpty { form.fail("ballots", req.t("paper.has_errors", ["count": String(errors.count)])) }
        return errors.prefix(50).map { Self.describe($0, req) }
    }

    func create(req: Request) async throws -> Response {
        let round = try await RoundAccess.load(req)
        try await authorize(req, round)
        let user = try req.requireUser()
        var form = FormState.read(req, fields: ["label", "ballots"])
        form.requireText("label", length: 3...200, req)
        if !round.acceptsPaper(on: Day.today()) { form.fail("label", req.t("paper.closed"), .conflict) }
        let data = try await RoundData.load(round, on: req.db, ballots: .none)
        let lineErrors = check(req, data, &form)
        guard form.isValid else { return try await render(req, round, form: form, formName: "new", lineErrors: lineErrors, status: form.status) }
        let batch = PaperBatch()
        batch.$round.id = (try round.requireID())
        batch.label = form["label"]
        batch.firstEntry = form["ballots"]
        batch.$firstBy.id = user.id
        batch.status = .awaitingSecond
        batch.version = 1
        try await req.write { db in
            try await batch.create(on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "paper.first_entry", entityType: "round", entityID: round.idString,
                                      after: ["batch": batch.idString, "label": batch.label, "ballots": String(Self.read(batch.firstEntry, data).ballots.count)])
        }
        req.flash("paper.first_saved")
        return req.redirect(to: .roundPaper(round.id))
    }

    /// The second entry, or a corrected first or second entry after a mismatch; a match counts the batch.
    func enter(req: Request) async throws -> Response {
        let round = try await RoundAccess.load(req)
        try await authorize(req, round)
        let user = try req.requireUser()
        guard let batchID = req.parameters.get("batch").flatMap(UUID.init(uuidString:)),
              let batch = try await PaperBatch.query(on: req.db).filter(\.$id == batchID).filter(\.$round.$id == (try round.requireID())).first() else { throw DemilgeError.notFound }
        var form = FormState.read(req, fields: ["ballots", "entry", "version"])
        let entry = form["entry"] == "first" ? 1 : 2
        func refuse(_ key: String, _ kind: FormRefusal) { form.fail("ballots", req.t(key), kind) }
        if form.version != batch.version { form.failStale("ballots", req) }
        if batch.status.rawValue == PaperBatch.Status.counted.rawValue || !round.acceptsPaper(on: Day.today()) { refuse("paper.closed", .conflict) }
        if entry == 1 && batch.status.rawValue != PaperBatch.Status.mismatch.rawValue { refuse("paper.closed", .conflict) }
        // The two entries of a batch are made by two different people: the other entry's author may not type this
        // one (said only of an entry that could otherwise be taken; a stale or closed batch is reported as such).
        let otherAuthor = entry == 1 ? batch.$secondBy.id : batch.$firstBy.id
        if form.isValid && otherAuthor == user.id { refuse("paper.same_person", .forbidden) }
        let data = try await RoundData.load(round, on: req.db, ballots: .none)
        let lineErrors = check(req, data, &form)
        guard form.isValid else {
            return try await render(req, round, form: form, formName: batchID.uuidString.lowercased(), lineErrors: lineErrors, status: form.status)
        }
        let first = entry == 1 ? form["ballots"] : batch.firstEntry
        let second = entry == 2 ? form["ballots"] : (batch.secondEntry ?? "")
        let firstBallots = Self.read(first, data).ballots, secondBallots = Self.read(second, data).ballots
        let matched = PaperBallots.mismatches(firstBallots, secondBallots).isEmpty
        let expected = batch.version
        if entry == 1 { batch.firstEntry = first; batch.$firstBy.id = user.id } else { batch.secondEntry = second; batch.$secondBy.id = user.id }
        batch.status = matched ? .counted : .mismatch
        batch.version = batch.version.saturatingAdding(1)
        let roundID = (try round.requireID()), projectIDs = try data.projects.map { try $0.requireID() }
        let saved = try await req.write { db -> Bool in
            // Under the round's lock: a batch is counted only while the round is still in voting.
            try await RowLock.lock(BudgetRound.schema, id: roundID, on: db)
            guard try await BudgetRound.find(roundID, on: db)?.acceptsPaper(on: Day.today()) == true else { return false }
            guard try await VersionClaim.claim(PaperBatch.schema, id: batchID, expected: expected, on: db) else { return false }
            try await batch.update(on: db)
            if matched {
                for ballot in firstBallots {
                    let record = BudgetBallot(roundID: roundID, voterID: nil, channel: .paper, batchID: batchID)
                    try await record.create(on: db)
                    for choice in ballot {
                        try await BallotChoiceRecord(ballotID: (try record.requireID()), projectID: projectIDs[choice.project], points: choice.points).create(on: db)
                    }
                }
            }
            try await AuditLog.record(on: db, by: req.auditActor, action: matched ? "paper.counted" : "paper.mismatch", entityType: "round",
                                      entityID: roundID.uuidString.lowercased(), after: ["batch": batchID.uuidString.lowercased(), "entry": String(entry),
                                                                                        "ballots": String(firstBallots.count)])
            return true
        }
        guard saved else {
            form.failStale("ballots", req)
            return try await render(req, round, form: form, formName: batchID.uuidString.lowercased(), status: .conflict)
        }
        req.flash(matched ? "paper.counted" : "paper.mismatch")
        return req.redirect(to: .roundPaper(round.id), anchor: "batch-\(batchID.uuidString.lowercased())")
    }
}
