import DemilgeCore
import Fluent
import Vapor

/// The catalogue of practices: completed initiatives written up so that other municipalities can do the same,
/// filtered by theme and oblast; a problem's page points to practices that solved the same kind of problem.
struct PracticeController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("practices", use: index)
        routes.get("practices", "new", use: newForm)
        routes.post("practices", use: create)
        routes.get("practices", ":id", use: show)
        routes.get("practices.csv", use: csv)
    }

    func index(req: Request) async throws -> Response {
        try await req.page("practices/index", titleKey: "practices.title",
                           try await PracticeListPage.build(req, theme: req.query[String.self, at: "theme"] ?? "", oblast: req.query[String.self, at: "oblast"] ?? ""))
    }

    func show(req: Request) async throws -> Response {
        guard let id = req.parameters.get("id")?.uuid,
              let practice = try await Practice.query(on: req.db).filter(\.$id == id).with(\.$territory).with(\.$organisation).first() else { throw DemilgeError.notFound }
        return try await req.page("practices/show", titleKey: "practices.title", try await PracticePage.build(req, practice), title: practice.title)
    }

    // MARK: - Publishing a completed initiative

    struct NewContent: Encodable {
        let form: FormState, themes: [Option], places: [PlaceGroup], grantTitle: String, fromGrant: Bool
    }

    static let fields = ["grant", "title", "theme", "territory", "what_was_done", "what_worked", "contact", "grant_som", "local_budget_som", "community_som", "other_som"]

    /// A grant a practice may be written from: completed or closed, of a territory (and programme) the user may
    /// publish for. Anything else — a draft, another municipality's grant — is refused as not publishable.
    static func publishable(_ req: Request, grantID: String) async throws -> GrantApplication? {
        guard let id = grantID.uuid,
              let grant = try await GrantApplication.query(on: req.db).filter(\.$id == id).with(\.$call).with(\.$territory).with(\.$problem).with(\.$lines).first(),
              [.completed, .closed].contains(grant.status) else { return nil }
        // Staff of the grant's own municipality, or the manager of its programme.
        let municipality = try await TerritoryPath.target(grant.$territory.id, on: req.db)
        guard req.can(.publishPractice, on: municipality) || req.can(.publishPractice, on: Target(programmeID: grant.call.$programme.id)) else { return nil }
        return grant
    }

    /// A completed or closed grant prefills the form: its title, place, theme, and what it spent by source.
    private func prefill(_ req: Request, grantID: String) async throws -> (FormState, GrantApplication?) {
        var form = FormState()
        guard let grant = try await Self.publishable(req, grantID: grantID) else { return (form, nil) }
        form.values["grant"] = grantID
        form.values["title"] = grant.title
        form.values["territory"] = grant.territory.code
        form.values["theme"] = grant.problem?.category.rawValue ?? ""
        form.values["what_was_done"] = grant.summary
        let ledger = try await GrantLedgerLoader.ledger(of: grant, on: req.db)
        for row in ledger.rows {
            let amount = row.spent > 0 ? row.spent : row.paid
            form.values["\(row.source.rawValue)_som"] = Money(minorUnits: amount).editable(req.language)
        }
        return (form, grant)
    }

    private func renderNew(_ req: Request, _ form: FormState, grant: GrantApplication?, status: HTTPResponseStatus = .ok) async throws -> Response {
        try await req.page("practices/new", titleKey: "practices.new", NewContent(
            form: form, themes: ProblemCategory.allCases.map { Option(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0.rawValue == form["theme"]) },
            places: try await PlaceGroup.choices(req, selected: form["territory"], includeTopLevel: true),
            grantTitle: grant?.title ?? "", fromGrant: grant != nil), forms: true, status: status)
    }

    func newForm(req: Request) async throws -> Response {
        guard req.actor.isSignedIn else { throw DemilgeError.signInRequired }
        guard Policy.allowsSomewhere(req.actor, .publishPractice) else { throw DemilgeError.forbidden }
        let (form, grant) = try await prefill(req, grantID: req.query[String.self, at: "grant"] ?? "")
        return try await renderNew(req, form, grant: grant)
    }

    func create(req: Request) async throws -> Response {
        guard req.actor.isSignedIn else { throw DemilgeError.signInRequired }
        var form = FormState.read(req, fields: Self.fields)
        form.requireText("title", length: 3...200, req)
        form.requireText("what_was_done", length: 10...5000, req)
        form.requireText("what_worked", length: 10...5000, req)
        form.requireText("contact", length: 5...300, req)
        let theme = ProblemCategory(rawValue: form["theme"])
        if theme == nil { form.fail("theme", req.t("validation.choose_from_list")) }
        var grant: GrantApplication? = nil
        if !form["grant"].isEmpty {
            grant = try await Self.publishable(req, grantID: form["grant"])
            if let grant {
                // A practice from a grant is that grant's municipality's.
                form.values["territory"] = grant.territory.code
                if try await Practice.query(on: req.db).filter(\.$grant.$id == grant.requireID()).first() != nil { form.fail("grant", req.t("practices.already_published")) }
            } else {
                form.fail("grant", req.t("practices.grant_not_completed"))
            }
        }
        let territory = try await Territory.query(on: req.db).filter(\.$code == form["territory"]).first()
        if let territory {
            let target = try await TerritoryPath.target(try territory.requireID(), on: req.db)
            if grant == nil && !req.can(.publishPractice, on: target) { form.fail("territory", req.t("practices.not_yours"), .forbidden) }
        } else { form.fail("territory", req.t("validation.choose_from_list")) }
        var amounts: [Int64] = []
        for field in ["grant_som", "local_budget_som", "community_som", "other_som"] { amounts.append(form.amount(field, req, allowZero: true)) }
        guard form.isValid, let territory, let theme else { return try await renderNew(req, form, grant: grant, status: form.status) }
        let practice = Practice()
        practice.title = form["title"]
        practice.theme = theme
        practice.$territory.id = (try territory.requireID())
        practice.$grant.id = grant?.id
        practice.$organisation.id = grant?.$organisation.id
        practice.whatWasDone = form["what_was_done"]
        practice.whatWorked = form["what_worked"]
        practice.contact = form["contact"]
        practice.grantTyiyn = amounts[0]
        practice.localBudgetTyiyn = amounts[1]
        practice.communityTyiyn = amounts[2]
        practice.otherTyiyn = amounts[3]
        practice.publishedOn = Day.today()
        try await req.write { db in
            try await practice.create(on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "practice.publish", entityType: "practice", entityID: practice.idString, after: practice.snapshot)
        }
        req.flash("admin.saved")
        return req.redirect(to: .practice(practice.id))
    }

    func csv(req: Request) async throws -> Response {
        let practices = try await Practice.query(on: req.db).with(\.$territory).sort(\.$publishedOn).all()
        let rows = practices.map { p in
            [p.idString, p.title, p.theme.rawValue, p.territory.code, p.publishedOn.description] + p.costs.map { Money(minorUnits: $0.1).plain(.always) } + [p.contact]
        }
        return OpenData.csv(CSV.write(header: ["id", "title", "theme", "territory", "published_on", "grant_som", "local_budget_som", "community_som", "other_som", "contact"], rows: rows),
                            filename: "practices.csv")
    }
}
