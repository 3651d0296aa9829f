import DemilgeCore
import Fluent
import Vapor

/// Choosing a round's rule with the facts: managers compare how each rule would have decided similar past rounds or
/// an uploaded pabulib file, then choose the rule and say why before voting opens; the reason is published with the
/// round. Rules run only when the manager asks (a POST), within the usual add-one bound, on at most
/// `maximumCompared` past rounds and one file.
struct RuleChoiceController: RouteCollection {
    static let maximumCompared = 3
    static let listedPast = 12
    static let reasonLength = 10...2000

    func boot(routes: any RoutesBuilder) throws {
        routes.get("rounds", ":id", "rule", use: show)
        routes.post("rounds", ":id", "rule", use: choose)
        routes.on(.POST, "rounds", ":id", "rule", "compare", body: .collect(maxSize: BodyLimits.pabulibUpload), use: compare)
    }

    private func managed(_ req: Request) async throws -> BudgetRound {
        let round = try await RoundAccess.load(req)
        try req.authorize(.manageBudgetRound, on: try await RoundAccess.target(round, req))
        return round
    }

    private func render(_ req: Request, _ page: RuleChoicePage, status: HTTPResponseStatus = .ok) async throws -> Response {
        try await req.page("rounds/rule", titleKey: "rules.title", titleArguments: ["round": page.title], page, forms: true, status: status)
    }

    func show(req: Request) async throws -> Response {
        let round = try await managed(req)
        return try await render(req, RuleChoicePage.build(req, round, past: try await RuleChoicePage.pastRounds(req, round), checked: nil))
    }

    func compare(req: Request) async throws -> Response {
        let round = try await managed(req)
        let past = try await RuleChoicePage.pastRounds(req, round)
        var form = FormState()
        let wanted = req.formList("past", max: Self.maximumCompared)
        if wanted == nil { form.fail("past", req.t("rules.too_many", ["count": String(Self.maximumCompared)])) }
        let wantedIDs = Set((wanted ?? []).compactMap(UUID.init(uuidString:)))
        let chosen = past.filter { $0.id.map(wantedIDs.contains) ?? false }
        if (wanted ?? []).count != chosen.count { form.fail("past", req.t("validation.choose_from_list")) }
        var file: (name: String, instance: BudgetingInstance)? = nil
        if let upload = try? req.content.get(File.self, at: "file"), upload.data.readableBytes > 0 {
            switch PabulibRoundController.read(String(decoding: upload.data.readableBytesView, as: UTF8.self), req) {
            case .success(let instance): file = (upload.filename, instance)
            case .failure(let message): form.fail("file", message.text)
            }
        }
        if form.isValid && chosen.isEmpty && file == nil { form.fail("past", req.t("rules.nothing_to_compare")) }
        let checked = Set(chosen.compactMap(\.id))
        guard form.isValid else {
            return try await render(req, RuleChoicePage.build(req, round, past: past, checked: checked, form: form, formName: "compare"), status: form.status)
        }
        var elections: [RuleChoicePage.Election] = []
        for candidate in chosen {
            let data = try await RoundData.load(candidate, on: req.db)
            let heading = "\(candidate.title) · \(candidate.territory.name.display(req.language).text) · \(req.t("rule.\(candidate.rule.rawValue)"))"
            elections.append(Self.compared(heading, data.instance, names: data.projects.map(\.title), round, req))
        }
        if let file {
            let names = file.instance.projects.map { $0.name ?? $0.id }
            elections.append(Self.compared(req.t("rules.file_heading", ["file": file.name]), file.instance, names: names, round, req))
        }
        return try await render(req, RuleChoicePage.build(req, round, past: past, checked: checked, elections: elections))
    }

    private static func compared(_ heading: String, _ instance: BudgetingInstance, names: [String], _ round: BudgetRound,
                                 _ req: Request) -> RuleChoicePage.Election {
        let comparison = RuleComparison(instance, rules: round.type.rules, maximumAddOneRuns: req.application.maximumAddOneRuns)
        return RuleChoicePage.election(heading: heading, instance, names: names, comparison, current: round.rule, req)
    }

    /// Sets the rule and its reason, under the round's version: never once voting has opened.
    func choose(req: Request) async throws -> Response {
        let round = try await managed(req)
        var form = FormState.read(req, fields: ["rule", "reason", "version"])
        form.requireText("reason", length: Self.reasonLength, req)
        let rule = BudgetingRule(rawValue: form["rule"])
        if let rule, round.type.rules.contains(rule) {} else { form.fail("rule", req.t("rounds.rule_not_for_ballot")) }
        let expected = VersionClaim.read(form["version"])
        if expected != round.version { form.failStale("rule", req) }
        if !round.status.acceptsProjects { form.fail("rule", req.t("rules.fixed"), .conflict) }
        func refuse(_ current: BudgetRound, status: HTTPResponseStatus) async throws -> Response {
            try await render(req, RuleChoicePage.build(req, current, past: try await RuleChoicePage.pastRounds(req, current), checked: nil,
                                                       form: form, formName: "rule"), status: status)
        }
        guard form.isValid, let rule, let expected else { return try await refuse(round, status: form.status) }
        let before = round.snapshot
        round.rule = rule
        round.ruleReason = form["reason"]
        round.version = expected + 1
        // The claim fails if anything moved the round meanwhile — opening voting included, which claims the same version.
        let saved = try await req.write { db -> Bool in
            guard try await VersionClaim.claim(BudgetRound.schema, id: try round.requireID(), expected: expected, on: db) else { return false }
            try await round.update(on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "round.rule", entityType: "round", entityID: round.idString,
                                      before: before, after: round.snapshot)
            return true
        }
        guard saved else {
            form.failStale("rule", req)
            return try await refuse(try await RoundAccess.load(req), status: .conflict)
        }
        req.flash("admin.saved")
        return req.redirect(to: .round(round.id))
    }
}
