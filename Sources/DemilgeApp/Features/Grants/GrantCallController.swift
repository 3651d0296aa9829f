import DemilgeCore
import Fluent
import Vapor

/// Calls for proposals: opened by a programme's manager, with terms, weighted criteria and reviewers;
/// ranked within the budget and decided in public.
struct GrantCallController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("grants", use: index)
        routes.get("grants", "new", use: newForm)
        routes.post("grants", use: create)
        routes.get("grants", ":call", use: show)
        routes.get("grants", ":call", "edit", use: editForm)
        routes.post("grants", ":call", "edit", use: update)
        routes.post("grants", ":call", "status", use: advance)
        routes.post("grants", ":call", "reviewers", use: addReviewer)
        routes.post("grants", ":call", "decide", use: decide)
    }


    // MARK: - List

    func index(req: Request) async throws -> Response {
        struct Row: Encodable {
            let id: String, title: String, programme: String, budget: String, grantRange: String, deadline: String
            let status: String, statusKey: String, applications: Int, awarded: Int
        }
        struct Content: Encodable { let calls: [Row]; let canCreate: Bool }
        // A draft call is its programme's manager's work in progress: nobody else sees it.
        let calls = try await GrantCall.query(on: req.db).with(\.$programme).sort(\.$deadline, .descending).all()
            .filter { $0.status != .draft || req.can(.manageGrants, on: Target(programmeID: $0.$programme.id)) }
        let applications = try await GrantApplication.query(on: req.db).filter(\.$status != GrantStatus.draft).all()
        let byCall = Dictionary(grouping: applications, by: { $0.$call.id })
        return try await req.page("grants/index", titleKey: "grants.title", Content(
            calls: calls.map { call in
                let own = byCall[(try call.requireID())] ?? []
                return Row(id: GrantDisplay.id(call), title: call.title, programme: call.programme.name.text(req.language),
                           budget: GrantDisplay.money(call.budgetTyiyn, req),
                           grantRange: "\(GrantDisplay.money(call.minGrantTyiyn, req)) — \(GrantDisplay.money(call.maxGrantTyiyn, req))",
                           deadline: call.deadline.formatted(req.language), status: req.t(call.status.catalogKey), statusKey: call.status.rawValue,
                           applications: own.count, awarded: own.filter { GrantDisplay.awarded.contains($0.status) }.count)
            },
            canCreate: Policy.allowsSomewhere(req.actor, .manageGrants)))
    }

    // MARK: - New call

    static let defaultCriteria = """
        Көйгөйдүн маанилүүлүгү | 30 | 10
        Жарандардын катышуусу | 20 | 10
        Туруктуулук | 20 | 10
        Чыгашалардын негиздүүлүгү | 15 | 10
        Өздүк салымдын көлөмү | 15 | 10
        """

    struct NewContent: Encodable {
        let form: FormState
        let programmes: [Option]
        let places: [PlaceGroup]
        let kinds: [Option]
        let criteriaErrors: [String]
        let hasCriteriaErrors: Bool
        let action: String
        let isEdit: Bool
    }

    private func renderNew(_ req: Request, _ form: FormState, kinds: Set<String>, criteriaErrors: [String] = [], action: String = "/grants",
                           status: HTTPResponseStatus = .ok) async throws -> Response {
        let programmes = try await Programme.query(on: req.db).all().filter { req.can(.manageGrants, on: Target(programmeID: $0.id)) }
        return try await req.page("grants/new", titleKey: action == "/grants" ? "grants.new" : "grants.edit_call", NewContent(
            form: form,
            programmes: programmes.map { Option(value: $0.slug, label: $0.name.text(req.language), selected: $0.slug == form["programme"]) },
            places: try await PlaceGroup.choices(req, selected: Set(form["territories"].split(separator: ",").map(String.init)), includeTopLevel: true),
            kinds: ApplicantKind.allCases.map { Option(value: $0.rawValue, label: req.t($0.catalogKey), selected: kinds.contains($0.rawValue)) },
            criteriaErrors: criteriaErrors, hasCriteriaErrors: !criteriaErrors.isEmpty, action: action, isEdit: action != "/grants"),
            forms: true, status: status)
    }

    func newForm(req: Request) async throws -> Response {
        guard req.actor.isSignedIn else { throw DemilgeError.signInRequired }
        guard Policy.allowsSomewhere(req.actor, .manageGrants) else { throw DemilgeError.forbidden }
        var form = FormState()
        form.values["criteria"] = Self.defaultCriteria
        form.values["cofunding"] = "20"
        form.values["minimum_score"] = "50"
        return try await renderNew(req, form, kinds: [ApplicantKind.municipality.rawValue])
    }

    /// The call's form, read and checked; `apply` writes it onto a call when it is valid.
    struct Terms {
        var form: FormState
        var kinds: Set<String>
        var criteriaErrors: [String] = []
        var apply: (@Sendable (GrantCall) -> Void)?
    }

    static func readTerms(_ req: Request) async throws -> Terms {
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
            guard let money = try? Money.parse(form[field]), money.minorUnits > 0 else { form.fail(field, req.t("validation.money")); return 0 }
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
        var terms = Terms(form: form, kinds: kinds, criteriaErrors: criteriaErrors)
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

    func create(req: Request) async throws -> Response {
        guard req.actor.isSignedIn else { throw DemilgeError.signInRequired }
        let terms = try await Self.readTerms(req)
        guard let apply = terms.apply else {
            return try await renderNew(req, terms.form, kinds: terms.kinds, criteriaErrors: terms.criteriaErrors, status: terms.form.status)
        }
        let call = GrantCall()
        apply(call)
        call.status = CallStatus.draft
        call.version = 1
        try await req.write { db in
            try await call.create(on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "grant_call.create", entityType: "grant_call",
                                      entityID: GrantDisplay.id(call), after: call.snapshot)
        }
        req.flash("admin.saved")
        return req.redirect(to: GrantDisplay.callPath(call), redirectType: .normal)
    }

    // MARK: - Editing a draft call

    /// A call's terms can change only while it is a draft: once open, applicants rely on them.
    private func editable(_ req: Request) async throws -> GrantCall {
        guard req.actor.isSignedIn else { throw DemilgeError.signInRequired }
        let call = try await GrantDisplay.loadCall(req)
        try req.authorize(.manageGrants, on: Target(programmeID: call.$programme.id))
        return call
    }

    static func formState(of call: GrantCall, codes: [UUID: String]) -> FormState {
        var form = FormState()
        form.values = ["programme": call.programme.slug, "title": call.title, "description": call.description,
                       "budget": Money(minorUnits: call.budgetTyiyn).plain(.whenNeeded), "min_grant": Money(minorUnits: call.minGrantTyiyn).plain(.whenNeeded),
                       "max_grant": Money(minorUnits: call.maxGrantTyiyn).plain(.whenNeeded), "cofunding": String(call.coFundingPercent),
                       "deadline": call.deadline.description, "documents": call.documents, "minimum_score": String(call.minimumScore),
                       "criteria": call.criteria.map { "\($0.name) | \($0.weight) | \($0.max)" }.joined(separator: "\n"),
                       "territories": call.territoryIDs.compactMap { codes[$0] }.joined(separator: ","), "version": String(call.version)]
        return form
    }

    func editForm(req: Request) async throws -> Response {
        let call = try await editable(req)
        guard call.status == .draft else {
            var form = FormState()
            form.fail("status", req.t("grants.call_locked"))
            return try await render(req, call, form: form, status: .conflict)
        }
        let codes = try await Territory.codes(on: req.db)
        return try await renderNew(req, Self.formState(of: call, codes: codes), kinds: Set(call.applicantKinds.map(\.rawValue)), action: "\(GrantDisplay.callPath(call))/edit")
    }

    func update(req: Request) async throws -> Response {
        let call = try await editable(req)
        let terms = try await Self.readTerms(req)
        guard call.status == .draft else {
            var form = FormState()
            form.fail("status", req.t("grants.call_locked"))
            return try await render(req, call, form: form, status: .conflict)
        }
        let action = "\(GrantDisplay.callPath(call))/edit"
        guard let apply = terms.apply else {
            return try await renderNew(req, terms.form, kinds: terms.kinds, criteriaErrors: terms.criteriaErrors, action: action,
                                       status: terms.form.status)
        }
        let expected = terms.form.version ?? -1
        let saved = try await req.write { db -> Bool in
            guard try await VersionClaim.claim(GrantCall.schema, id: (try call.requireID()), expected: expected, on: db) else { return false }
            let before = call.snapshot
            apply(call)
            call.version = expected + 1
            try await call.update(on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "grant_call.update", entityType: "grant_call",
                                      entityID: GrantDisplay.id(call), before: before, after: call.snapshot)
            return true
        }
        guard saved else {
            var form = terms.form
            form.failStale("title", req)
            return try await renderNew(req, form, kinds: terms.kinds, action: action, status: .conflict)
        }
        req.flash("admin.saved")
        return req.redirect(to: GrantDisplay.callPath(call), redirectType: .normal)
    }

    // MARK: - The call's page

    struct ApplicationRow: Encodable {
        let id: String, title: String, organisation: String, organisationSlug: String, territory: String, requested: String
        let status: String, statusKey: String, score: String, spread: String, hasScore: Bool
        let decision: String, hasDecision: Bool
    }

    struct ReviewerRow: Encodable { let name: String; let declared: Bool; let scored: Int }

    struct ShowContent: Encodable {
        let id: String, title: String, description: String, programme: String, programmeSlug: String
        let budget: String, minGrant: String, maxGrant: String, coFunding: Int, kinds: String, territories: String, deadline: String
        let documents: [String], hasDocuments: Bool
        let criteria: [GrantCall.Criterion]
        let minimumScore: Int
        let status: String, statusKey: String
        let applications: [ApplicationRow], hasApplications: Bool
        let ranking: [ApplicationRow], hasRanking: Bool, rankingNote: String
        let isManager: Bool, isReviewer: Bool, canApply: Bool, isOpen: Bool
        let nextStatus: String, nextStatusLabel: String, version: Int
        let reviewers: [ReviewerRow], hasReviewers: Bool
        let canDecide: Bool
        let form: FormState
        let decided: Bool
        let left: String
    }

    func show(req: Request) async throws -> Response {
        let call = try await GrantDisplay.loadCall(req)
        guard call.status != .draft || req.can(.manageGrants, on: Target(programmeID: call.$programme.id)) else { throw DemilgeError.notFound }
        return try await render(req, call)
    }

    func render(_ req: Request, _ call: GrantCall, form: FormState = FormState(), status: HTTPResponseStatus = .ok) async throws -> Response {
        let viewer = try await GrantViewer.load(req, call: call)
        let board = try await CallBoard.load(call, on: req.db)
        let visible = board.applications.filter { $0.status != .draft || viewer.isApplicant($0) || viewer.isManager }
        func row(_ application: GrantApplication, line: GrantRanking.Line? = nil) -> ApplicationRow {
            let aggregate = viewer.seesScores(of: application, call: call) ? board.aggregate(application) : nil
            let showScore = aggregate != nil
            var decision = ""
            switch line?.decision {
            case .funded(let leftAfter): decision = req.t("grants.rank_funded", ["left": GrantDisplay.money(leftAfter, req)])
            case .reserve(let position, let left): decision = req.t("grants.rank_reserve", ["position": String(position), "left": GrantDisplay.money(left, req)])
            case .belowThreshold: decision = req.t("grants.rank_below", ["minimum": String(call.minimumScore)])
            case nil: break
            }
            if line?.tieBroken == true { decision += " " + req.t("grants.rank_tie") }
            return ApplicationRow(
                id: GrantDisplay.id(application), title: application.title, organisation: application.organisation.name.text(req.language),
                organisationSlug: application.organisation.slug, territory: application.territory.name.text(req.language),
                requested: GrantDisplay.money(application.requestedTyiyn, req), status: req.t(application.status.catalogKey), statusKey: application.status.rawValue,
                score: aggregate.map { GrantDisplay.score($0.mean, req) } ?? "", spread: aggregate.map { GrantDisplay.score($0.spread, req) } ?? "",
                hasScore: showScore, decision: decision, hasDecision: !decision.isEmpty)
        }
        let ranking = viewer.seesRanking(of: board) ? board.ranking() : []
        let byID = Dictionary(firstValues: board.applications.map { (GrantDisplay.id($0), $0) })
        let reviewers = try await GrantReviewer.query(on: req.db).filter(\.$call.$id == (try call.requireID())).with(\.$user).all()
        let next = call.status.next
        let awardedTotal = board.applications.filter { GrantDisplay.awarded.contains($0.status) }.map(\.requestedTyiyn).saturatingSum()
        let content = ShowContent(
            id: GrantDisplay.id(call), title: call.title, description: call.description, programme: call.programme.name.text(req.language),
            programmeSlug: call.programme.slug, budget: GrantDisplay.money(call.budgetTyiyn, req), minGrant: GrantDisplay.money(call.minGrantTyiyn, req),
            maxGrant: GrantDisplay.money(call.maxGrantTyiyn, req), coFunding: call.coFundingPercent,
            kinds: ApplicantKind.allCases.filter(call.applicantKinds.contains).map { req.t($0.catalogKey) }.joined(separator: ", "),
            territories: try await territoryNames(call, req), deadline: call.deadline.formatted(req.language),
            documents: call.documents.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty },
            hasDocuments: !call.documents.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty,
            criteria: call.criteria, minimumScore: call.minimumScore,
            status: req.t(call.status.catalogKey), statusKey: call.status.rawValue,
            applications: visible.map { row($0) }, hasApplications: !visible.isEmpty,
            ranking: ranking.compactMap { line in byID[line.id].map { row($0, line: line) } }, hasRanking: !ranking.isEmpty,
            rankingNote: req.t("grants.ranking_note", ["budget": GrantDisplay.money(call.budgetTyiyn, req), "minimum": String(call.minimumScore)]),
            isManager: viewer.isManager, isReviewer: viewer.reviewer != nil,
            canApply: call.status == .open && req.actor.isSignedIn, isOpen: call.status == .open,
            nextStatus: next?.rawValue ?? "", nextStatusLabel: next.map { req.t("grants.move_call.\($0.rawValue)") } ?? "", version: call.version,
            reviewers: reviewers.map { r in
                ReviewerRow(name: r.user.displayName, declared: r.declaredAt != nil, scored: board.sheets.filter { $0.$reviewer.id == r.id }.count)
            },
            hasReviewers: !reviewers.isEmpty,
            canDecide: viewer.isManager && call.status == .review && !ranking.isEmpty,
            form: form, decided: call.status == .decided,
            left: GrantDisplay.money(call.budgetTyiyn.saturatingSubtracting(awardedTotal), req))
        return try await req.page("grants/call", titleKey: "grants.title", content, forms: true, title: call.title, status: status)
    }

    private func territoryNames(_ call: GrantCall, _ req: Request) async throws -> String {
        let ids = call.territoryIDs
        guard !ids.isEmpty else { return req.t("grants.whole_country") }
        return try await Territory.query(on: req.db).filter(\.$id ~~ ids).all().map { $0.name.text(req.language) }.joined(separator: ", ")
    }

    // MARK: - Manager's actions

    func advance(req: Request) async throws -> Response {
        let call = try await GrantDisplay.loadCall(req)
        try req.authorize(.manageGrants, on: Target(programmeID: call.$programme.id))
        guard let next = call.status.next, req.formFields["status"] == next.rawValue, next != .decided else {
            var form = FormState()
            form.fail("status", req.t("grants.call_move_refused"))
            return try await render(req, call, form: form, status: .conflict)
        }
        let expected = VersionClaim.read(req.formFields["version"] ?? "") ?? -1
        let moved = try await req.write { db -> Bool in
            guard try await VersionClaim.claim(GrantCall.schema, id: (try call.requireID()), expected: expected, on: db) else { return false }
            let before = call.snapshot
            call.status = next
            call.version = expected + 1
            try await call.update(on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "grant_call.\(next.rawValue)", entityType: "grant_call",
                                      entityID: GrantDisplay.id(call), before: before, after: call.snapshot)
            return true
        }
        guard moved else { throw DemilgeError.staleEdit }
        req.flash("admin.saved")
        return req.redirect(to: GrantDisplay.callPath(call), redirectType: .normal)
    }

    func addReviewer(req: Request) async throws -> Response {
        let call = try await GrantDisplay.loadCall(req)
        try req.authorize(.manageGrants, on: Target(programmeID: call.$programme.id))
        var form = FormState.read(req, fields: ["email"])
        let user = try await User.query(on: req.db).filter(\.$email == form["email"].lowercased()).first()
        if let user {
            if try await GrantReviewer.query(on: req.db).filter(\.$call.$id == (try call.requireID())).filter(\.$user.$id == (try user.requireID())).first() != nil {
                form.fail("email", req.t("grants.reviewer_already"))
            }
        } else { form.fail("email", req.t("grants.reviewer_unknown")) }
        guard form.isValid, let user else { return try await render(req, call, form: form, status: .unprocessableEntity) }
        try await req.write { db in
            try await GrantReviewer(callID: (try call.requireID()), userID: (try user.requireID())).create(on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "grant_call.reviewer", entityType: "grant_call",
                                      entityID: GrantDisplay.id(call), after: ["reviewer": user.email])
        }
        req.flash("admin.saved")
        return req.redirect(to: GrantDisplay.callPath(call), redirectType: .normal)
    }

    /// Applies the ranking: funded → approved, reserve list → reserve, below the minimum → rejected with the reason;
    /// the call is decided and its results public.
    func decide(req: Request) async throws -> Response {
        let call = try await GrantDisplay.loadCall(req)
        try req.authorize(.manageGrants, on: Target(programmeID: call.$programme.id))
        let expected = VersionClaim.read(req.formFields["version"] ?? "") ?? -1
        let minimum = String(call.minimumScore)
        let belowReason = req.t("grants.rank_below", ["minimum": minimum])
        guard call.version == expected else { throw DemilgeError.staleEdit }
        let decided: Bool
        do {
            decided = try await req.write { db -> Bool in
                guard try await VersionClaim.claim(GrantCall.schema, id: try call.requireID(), expected: expected, on: db) else { return false }
                // The board as it is now, inside the transaction: a score sheet that landed since the page was read counts.
                let board = try await CallBoard.load(call, on: db)
                let waiting = board.applications.filter { [.submitted, .eligible, .underReview].contains($0.status) }
                let ranking = board.ranking()
                // Thrown, not returned: the version claimed above must roll back with the refusal.
                guard call.status == .review, waiting.isEmpty, !ranking.isEmpty else { throw DecisionRefused(waiting: waiting.count) }
                let byID = Dictionary(firstValues: board.applications.map { (GrantDisplay.id($0), $0) })
                for line in ranking {
                    guard let application = byID[line.id], application.status == .scored else { continue }
                    switch line.decision {
                    case .funded: try await GrantMove.apply(application, to: .approved, reason: nil, as: .decision, by: req, on: db)
                    case .reserve(let position, _): try await GrantMove.apply(application, to: .reserve, reason: "#\(position)", as: .decision, by: req, on: db)
                    case .belowThreshold: try await GrantMove.apply(application, to: .rejected, reason: belowReason, as: .decision, by: req, on: db)
                    }
                }
                try await CallBudget.check(call, on: db)
                call.status = CallStatus.decided
                call.version = expected + 1
                try await call.update(on: db)
                try await AuditLog.record(on: db, by: req.auditActor, action: "grant_call.decided", entityType: "grant_call",
                                          entityID: GrantDisplay.id(call), after: call.snapshot)
                return true
            }
        } catch let refusal as DecisionRefused {
            var form = FormState()
            form.fail("decide", req.t(refusal.waiting == 0 ? "grants.decide_refused" : "grants.decide_waiting", ["count": String(refusal.waiting)]))
            return try await render(req, try await GrantDisplay.loadCall(req), form: form, status: .conflict)
        } catch let over as CallBudget.OverBudget {
            var form = FormState()
            form.fail("decide", req.t("grants.decision_over_budget", ["left": GrantDisplay.money(over.leftTyiyn, req)]))
            return try await render(req, try await GrantDisplay.loadCall(req), form: form, status: .conflict)
        }
        guard decided else { throw DemilgeError.staleEdit }
        req.flash("admin.saved")
        return req.redirect(to: GrantDisplay.callPath(call), redirectType: .normal)
    }

    struct DecisionRefused: Error { let waiting: Int }
}

/// A call's applications with their score sheets and what the commission sees of them.
struct CallBoard {
    let call: GrantCall
    let applications: [GrantApplication]
    let sheets: [GrantScoreSheet]
    let reviewers: [GrantReviewer]
    /// Declared conflicts still in force (withdrawn ones are left out).
    let conflicts: [GrantConflict]
    let memberships: [UUID: (organisations: Set<UUID>, territories: Set<UUID>)]

    static func load(_ call: GrantCall, on db: any Database) async throws -> CallBoard {
        let applications = try await GrantApplication.query(on: db).filter(\.$call.$id == (try call.requireID()))
            .with(\.$organisation).with(\.$territory).sort(\.$submittedAt).sort(\.$createdAt).all()
        let reviewers = try await GrantReviewer.query(on: db).filter(\.$call.$id == (try call.requireID())).all()
        let reviewerIDs = reviewers.compactMap(\.id)
        let sheets = reviewerIDs.isEmpty ? [] : try await GrantScoreSheet.query(on: db).filter(\.$reviewer.$id ~~ reviewerIDs).all()
        let conflicts = reviewerIDs.isEmpty ? [] : try await GrantConflict.query(on: db).filter(\.$reviewer.$id ~~ reviewerIDs).filter(\.$withdrawnAt == nil).all()
        let users = reviewers.map { $0.$user.id }
        let members = users.isEmpty ? [] : try await OrganisationMember.query(on: db).filter(\.$user.$id ~~ users).with(\.$organisation).all()
        var memberships: [UUID: (organisations: Set<UUID>, territories: Set<UUID>)] = [:]
        for member in members {
            var entry = memberships[member.$user.id] ?? ([], [])
            entry.organisations.insert(member.$organisation.id)
            if let territory = member.organisation.territoryID { entry.territories.insert(territory) }
            memberships[member.$user.id] = entry
        }
        return CallBoard(call: call, applications: applications, sheets: sheets, reviewers: reviewers, conflicts: conflicts, memberships: memberships)
    }

    /// Reviewers conflicted with an application, declared or by their organisations.
    func conflicted(_ application: GrantApplication) -> Set<UUID> {
        Set(reviewers.filter { reviewer in
            let member = memberships[reviewer.$user.id] ?? ([], [])
            let declared = conflicts.contains { $0.$reviewer.id == reviewer.id && $0.$application.id == application.id }
            return ReviewAccess.conflict(reviewerOrganisations: member.organisations, reviewerOrganisationTerritories: member.territories,
                                         declared: declared, applicant: application.$organisation.id, territoryPath: [application.$territory.id]) != nil
        }.compactMap(\.id))
    }

    func sheets(of application: GrantApplication) -> [GrantScoreSheet] { sheets.filter { $0.$application.id == application.id } }

    /// The sheets that count: a conflicted reviewer's sheet never does, however it got there.
    func countedSheets(of application: GrantApplication) -> [GrantScoreSheet] {
        let conflicted = conflicted(application)
        return sheets(of: application).filter { !conflicted.contains($0.$reviewer.id) }
    }

    func revealed(_ application: GrantApplication) -> Bool {
        ReviewAccess.scoresRevealed(reviewers: Set(reviewers.compactMap(\.id)), conflicted: conflicted(application),
                                    scored: Set(sheets(of: application).map { $0.$reviewer.id }))
    }

    /// Mean and spread of the weighted scores, once every unconflicted reviewer has scored.
    func aggregate(_ application: GrantApplication) -> GrantReview.Aggregate? {
        guard revealed(application) else { return nil }
        return GrantReview.aggregate(countedSheets(of: application).compactMap { GrantDisplay.weighted($0, call) })
    }

    /// The fully scored applications ranked within the call's budget (already awarded ones keep their money).
    func ranking() -> [GrantRanking.Line] {
        let ranked: Set<GrantStatus> = [.underReview, .scored, .approved, .reserve, .rejected, .contracted, .inImplementation, .completed, .terminated, .closed]
        let candidates = applications.enumerated().compactMap { index, application -> GrantRanking.Candidate? in
            guard ranked.contains(application.status), let aggregate = aggregate(application) else { return nil }
            return GrantRanking.Candidate(id: GrantDisplay.id(application), score: aggregate.mean, requestedTyiyn: application.requestedTyiyn, submittedOrder: index)
        }
        return GrantRanking.rank(candidates, budgetTyiyn: call.budgetTyiyn, minimumScore: Rational(call.minimumScore))
    }
}
