import DemilgeCore
import Fluent
import Vapor

/// The terms of a call as its manager writes them, read and checked; `apply` writes them onto a call when valid.
struct CallTermsForm {
    var form: FormState
    var kinds: Set<String>
    var criteriaErrors: [String] = []
    var apply: (@Sendable (GrantCall) -> Void)?

    static let defaultCriteria = """
        Көйгөйдүн маанилүүлүгү | 30 | 10
        Жарандардын катышуусу | 20 | 10
        Туруктуулук | 20 | 10
        Чыгашалардын негиздүүлүгү | 15 | 10
        Өздүк салымдын көлөмү | 15 | 10
        """

    static func read(_ req: Request) async throws -> CallTermsForm {
        var form = FormState.read(req, fields: ["programme", "title", "description", "budget", "min_grant", "max_grant", "cofunding",
                                                "deadline", "documents", "criteria", "minimum_score", "version"])
        let kinds = Set(ApplicantKind.allCases.map(\.rawValue).filter { req.formFields["kind_\($0)"] != nil })
        form.requireText("title", length: 3...200, req)
        form.optionalText("description", max: 5000, req)
        form.optionalText("documents", max: 2000, req)
        let programme = try await Programme.query(on: req.db).filter(\.$slug == form["programme"]).first()
        if programme == nil { form.fail("programme", req.t("validation.choose_from_list")) }
        if let programme, !req.can(.manageGrants, on: Target(programmeID: programme.id)) {
            form.fail("programme", req.t("grants.not_your_programme"), .forbidden)
        }
        func amount(_ field: String) -> Int64 {
            guard let money = try? Money.parse(form[field], as: req.language), money.minorUnits > 0 else { form.fail(field, req.t("validation.money")); return 0 }
            return money.minorUnits
        }
        let budget = amount("budget"), minimum = amount("min_grant"), maximum = amount("max_grant")
        if minimum > maximum && form.errors["max_grant"] == nil { form.fail("max_grant", req.t("grants.max_below_min")) }
        if maximum > budget && form.errors["max_grant"] == nil { form.fail("max_grant", req.t("grants.max_above_budget")) }
        let coFunding = form.integer("cofunding", in: 0...99)
        if coFunding == nil { form.fail("cofunding", req.t("grants.percent")) }
        let minimumScore = form.integer("minimum_score", in: 0...100)
        if minimumScore == nil { form.fail("minimum_score", req.t("grants.percent")) }
        let deadline = form.requireDay("deadline", req)
        if let deadline, deadline < Day.today() { form.fail("deadline", req.t("grants.deadline_past")) }
        if kinds.isEmpty { form.fail("kinds", req.t("grants.kinds_required")) }
        // Where applicants may work: chosen oblasts, raions or places (and everything under them); none means the whole country.
        let chosen = req.formList("territories", max: 500)
        let codes = chosen ?? []
        form.values["territories"] = codes.joined(separator: ",")
        let territories = codes.isEmpty ? [] : try await Territory.query(on: req.db).filter(\.$code ~~ codes).all()
        if chosen == nil { form.fail("territories", req.t("validation.too_many")) }
        else if territories.count != codes.count { form.fail("territories", req.t("validation.choose_from_list")) }
        let territoryIDs = territories.compactMap(\.id)
        var criteriaErrors: [String] = []
        var criteria: [GrantCall.Criterion] = []
        switch GrantLines.criteria(form["criteria"]) {
        case .success(let read):
            criteria = read.enumerated().map { GrantCall.Criterion(key: "c\($0.offset + 1)", name: $0.element.name, weight: $0.element.weightPercent, max: $0.element.maxScore) }
            if read.isEmpty { criteriaErrors.append(req.t("grants.criteria_required")) }
            for problem in GrantReview.problems(criteria: criteria.map(\.core)) {
                if case .weightsDoNotSumTo100(let total) = problem { criteriaErrors.append(req.t("grants.weights_sum", ["total": String(total)])) }
            }
        case .failure(let errors):
            criteriaErrors = GrantDisplay.lineErrors(errors, req)
        }
        if !criteriaErrors.isEmpty { form.fail("criteria", criteriaErrors[0]) }
        var terms = CallTermsForm(form: form, kinds: kinds, criteriaErrors: criteriaErrors)
        guard form.isValid, let programme, let coFunding, let minimumScore, let deadline else { return terms }
        let values = form, readCriteria = criteria, programmeID = try programme.requireID()
        terms.apply = { call in
            call.$programme.id = programmeID
            call.title = values["title"]
            call.description = values["description"]
            call.budgetTyiyn = budget
            call.minGrantTyiyn = minimum
            call.maxGrantTyiyn = maximum
            call.coFundingPercent = coFunding
            call.applicantKindsText = ApplicantKind.allCases.map(\.rawValue).filter(kinds.contains).joined(separator: ",")
            call.territoryIDs = territoryIDs
            call.deadline = deadline
            call.documents = values["documents"]
            call.criteria = readCriteria
            call.minimumScore = minimumScore
        }
        return terms
    }

    /// The form filled in with a call's terms, to edit them.
    static func values(of call: GrantCall, codes: [UUID: String], _ language: Language) -> FormState {
        var form = FormState()
        form.values = ["programme": call.programme.slug, "title": call.title, "description": call.description,
                       "budget": Money(minorUnits: call.budgetTyiyn).editable(language), "min_grant": Money(minorUnits: call.minGrantTyiyn).editable(language),
                       "max_grant": Money(minorUnits: call.maxGrantTyiyn).editable(language), "cofunding": String(call.coFundingPercent),
                       "deadline": call.deadline.description, "documents": call.documents, "minimum_score": String(call.minimumScore),
                       "criteria": call.criteria.map { "\($0.name) | \($0.weight) | \($0.max)" }.joined(separator: "\n"),
                       "territories": call.territoryIDs.compactMap { codes[$0] }.joined(separator: ","), "version": String(call.version)]
        return form
    }
}
