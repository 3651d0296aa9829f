import DemilgeCore
import Fluent
import Vapor

/// What an application form says, read and checked; `problems` are the reasons it may not be submitted.
struct ApplicationForm {
    static let fields = ["organisation", "territory", "problem", "measure", "title", "summary", "goals", "activities", "lines", "requested", "total", "intent"]
        + Participants.allKeys.map(\.key)

    var form: FormState
    var organisation: Organisation?
    var territory: Territory?
    var problem: Problem?
    var measure: ActionMeasure?
    var lines: [BudgetLine] = []
    var activities: [GrantApplication.Activity] = []
    var beneficiaries = Participants()
    var requested: Int64 = 0
    var total: Int64 = 0
    var problems: [String] = []
    var submit: Bool { form["intent"] == "submit" }

    static func read(_ req: Request, _ call: GrantCall) async throws -> ApplicationForm {
        var reading = ApplicationForm(form: FormState.read(req, fields: Self.fields))
        reading.form.requireText("title", length: 3...200, req)
        reading.form.optionalText("summary", max: 5000, req)
        reading.form.optionalText("goals", max: 3000, req)
        guard let userID = req.actor.userID else { throw DemilgeError.signInRequired }
        reading.organisation = try await Organisation.query(on: req.db).filter(\.$slug == reading.form["organisation"]).first()
        if let organisation = reading.organisation {
            let member = try await OrganisationMember.query(on: req.db).filter(\.$organisation.$id == organisation.requireID()).filter(\.$user.$id == userID).first()
            if member == nil { reading.form.fail("organisation", req.t("grants.not_your_organisation"), .forbidden) }
            // The project is the applicant organisation's own municipality's: not a place to choose (a choice would
            // also escape the own-municipality conflict check of reviewers).
            reading.territory = try await organisation.territoryID.asyncFlatMap { try await Territory.find($0, on: req.db) }
            if reading.territory == nil && member != nil { reading.form.fail("organisation", req.t("grants.organisation_without_territory")) }
            reading.form.values["territory"] = reading.territory?.code ?? ""
        } else { reading.form.fail("organisation", req.t("validation.choose_from_list")) }
        if !reading.form["problem"].isEmpty {
            reading.problem = try await reading.form["problem"].uuid.asyncFlatMap { try await Problem.find($0, on: req.db) }
            if reading.problem == nil { reading.form.fail("problem", req.t("validation.choose_from_list")) }
        }
        if !reading.form["measure"].isEmpty {
            reading.measure = try await reading.form["measure"].uuid.asyncFlatMap { id in
                try await ActionMeasure.query(on: req.db).filter(\.$id == id).with(\.$problem).first()
            }
            if let measure = reading.measure {
                if reading.problem == nil { reading.problem = measure.problem }
                else if reading.problem?.id != measure.$problem.id { reading.form.fail("measure", req.t("grants.measure_other_problem")) }
            } else { reading.form.fail("measure", req.t("validation.choose_from_list")) }
        }
        reading.requested = reading.form.amount("requested", req, allowZero: true)
        reading.total = reading.form.amount("total", req, allowZero: true)
        switch GrantLines.budgetLines(reading.form["lines"], req.language, sourceNamed: { FundingSource.named($0, req.application.catalog) }) {
        case .success(let lines): reading.lines = lines
        case .failure(let errors):
            reading.form.fail("lines", GrantDisplay.lineErrors(errors, req).joined(separator: " "))
        }
        switch GrantLines.activities(reading.form["activities"]) {
        case .success(let activities): reading.activities = activities.map { GrantApplication.Activity(what: $0.what, from: $0.from, to: $0.to) }
        case .failure(let errors):
            reading.form.fail("activities", GrantDisplay.lineErrors(errors, req).joined(separator: " "))
        }
        do { reading.beneficiaries = try Participants.parse(reading.form.values) }
        catch .none { if reading.submit { reading.form.fail("beneficiaries", req.t("grants.beneficiaries_required")) } }
        catch { reading.form.fail("beneficiaries", req.t("validation.count")) }

        if reading.submit, reading.form.isValid, let organisation = reading.organisation, let territory = reading.territory {
            let kind: ApplicantKind = organisation.kind == .cso ? .cso : .municipality
            let path = try await TerritoryPath.ids(from: (try territory.requireID()), on: req.db)
            let eligible = call.territoryIDs.isEmpty || call.territoryIDs.contains { path.contains($0) }
            let budget = ApplicationBudget(requestedTyiyn: reading.requested, totalTyiyn: reading.total, lines: reading.lines)
            reading.problems = ApplicationCheck.problems(budget, kind: kind, territoryEligible: eligible, terms: call.terms, today: Day.today())
                .map { Self.explain($0, req) }
            if reading.activities.isEmpty { reading.problems.append(req.t("grants.activities_required")) }
        }
        return reading
    }

    static func explain(_ problem: ApplicationProblem, _ req: Request) -> String {
        let money = { (tyiyn: Int64) in GrantDisplay.money(tyiyn, req) }
        switch problem {
        case .lineNotPositive(let line): return req.t(problem.catalogKey, ["line": String(line)])
        case .grantLinesDoNotSum(let lines, let requested): return req.t(problem.catalogKey, ["lines": money(lines), "requested": money(requested)])
        case .linesDoNotSum(let lines, let total): return req.t(problem.catalogKey, ["lines": money(lines), "total": money(total)])
        case .overMaximum(let requested, let maximum): return req.t(problem.catalogKey, ["requested": money(requested), "maximum": money(maximum)])
        case .belowMinimum(let requested, let minimum): return req.t(problem.catalogKey, ["requested": money(requested), "minimum": money(minimum)])
        case .coFundingBelowShare(let required, let actual):
            return req.t(problem.catalogKey, ["required": String(required),
                                              "actual": Formatters.decimal((actual * Rational(100)).decimal(digits: 1), fractionDigits: 1, req.language)])
        case .applicantKindNotEligible(let kind): return req.t(problem.catalogKey, ["kind": req.t(kind.catalogKey)])
        case .pastDeadline(let deadline): return req.t(problem.catalogKey, ["deadline": deadline.formatted(req.language)])
        case .noBudgetLines, .territoryNotEligible: return req.t(problem.catalogKey)
        }
    }

    /// The form filled in with a draft's contents, to edit it.
    static func values(of application: GrantApplication, _ req: Request) -> FormState {
        let language = req.language
        var form = FormState()
        form.values["organisation"] = application.organisation.slug
        form.values["territory"] = application.territory.code
        form.values["problem"] = application.$problem.id.map { $0.uuidString.lowercased() } ?? ""
        form.values["measure"] = application.$measure.id.map { $0.uuidString.lowercased() } ?? ""
        form.values["title"] = application.title
        form.values["summary"] = application.summary
        form.values["goals"] = application.goals
        form.values["activities"] = application.activities.map { "\($0.what) | \($0.from) | \($0.to)" }.joined(separator: "\n")
        form.values["lines"] = application.lines.sorted { $0.position < $1.position }
            .map { "\($0.item) | \(req.t($0.source.catalogKey)) | \(Money(minorUnits: $0.amountTyiyn).editable(language))" }.joined(separator: "\n")
        form.values["requested"] = Money(minorUnits: application.requestedTyiyn).editable(language)
        form.values["total"] = Money(minorUnits: application.totalTyiyn).editable(language)
        let beneficiaries = application.beneficiaries
        for sex in Sex.allCases { for band in AgeBand.allCases where beneficiaries[sex, band] > 0 { form.values[Participants.key(sex, band)] = String(beneficiaries[sex, band]) } }
        form.values["version"] = String(application.version)
        return form
    }
}

extension FundingSource {
    /// A source as a person writes it in a budget line: its name in any of the three languages (in any case), or the
    /// code older forms used.
    static func named(_ text: String, _ catalog: Catalog) -> FundingSource? {
        let wanted = text.trimmingCharacters(in: .whitespaces).lowercased()
        return allCases.first { source in
            source.rawValue == wanted || Language.allCases.contains { catalog.text(source.catalogKey, $0).lowercased() == wanted }
        }
    }
}
