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

    struct Row: Encodable { let id: String, title: String, theme: String, place: String, oblast: String, cost: String }

    static func total(_ practice: Practice) -> Int64 { Money.sum(practice.costs.map(\.1)) }

    func index(req: Request) async throws -> Response {
        struct Content: Encodable { let practices: [Row]; let themes: [Option]; let oblasts: [Option]; let canCreate: Bool }
        let theme = req.query[String.self, at: "theme"] ?? ""
        let oblast = req.query[String.self, at: "oblast"] ?? ""
        let directory = try await TerritoryDirectory.load(on: req.db)
        let query = Practice.query(on: req.db).with(\.$territory).sort(\.$publishedOn, .descending)
        if let theme = ProblemCategory(rawValue: theme) { query.filter(\.$theme == theme) }
        if let root = directory.byCode[oblast] { query.filter(\.$territory.$id ~~ Array(directory.subtree(of: (try root.requireID())))) }
        let practices = try await query.all()
        let language = req.language
        return try await req.page("practices/index", titleKey: "practices.title", Content(
            practices: practices.map { p in
                Row(id: GrantDisplay.id(p), title: p.title, theme: req.t(p.theme.catalogKey), place: p.territory.name.text(language),
                    oblast: directory.topLevel(of: p.territory).name.text(language), cost: GrantDisplay.money(Self.total(p), req))
            },
            themes: ProblemCategory.allCases.map { Option(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0.rawValue == theme) },
            oblasts: KyrgyzText.sorted(directory.roots, by: { $0.name.text(language) }, language).map {
                Option(value: $0.code, label: $0.name.text(language), selected: $0.code == oblast)
            },
            canCreate: Policy.allowsSomewhere(req.actor, .publishPractice)))
    }

    func show(req: Request) async throws -> Response {
        struct Cost: Encodable { let source: String, amount: String }
        struct Content: Encodable {
            let title: String, theme: String, territory: TerritoryLink, organisation: String, organisationSlug: String
            let grantID: String, hasGrant: Bool, whatWasDone: String, whatWorked: String, contact: String, publishedOn: String
            let costs: [Cost], total: String, others: [Row], hasOthers: Bool
        }
        guard let id = req.parameters.get("id")?.uuid,
              let practice = try await Practice.query(on: req.db).filter(\.$id == id).with(\.$territory).with(\.$organisation).first() else { throw DemilgeError.notFound }
        let others = try await Practice.query(on: req.db).filter(\.$theme == practice.theme).filter(\.$id != id).with(\.$territory).all()
        return try await req.page("practices/show", titleKey: "practices.title", Content(
            title: practice.title, theme: req.t(practice.theme.catalogKey),
            territory: TerritoryLink(practice.territory, req.language, catalog: req.application.catalog),
            organisation: practice.organisation?.name.text(req.language) ?? "", organisationSlug: practice.organisation?.slug ?? "",
            grantID: practice.$grant.id.map { $0.uuidString.lowercased() } ?? "", hasGrant: practice.$grant.id != nil,
            whatWasDone: practice.whatWasDone, whatWorked: practice.whatWorked, contact: practice.contact, publishedOn: practice.publishedOn.formatted(req.language),
            costs: practice.costs.filter { $0.1 > 0 }.map { Cost(source: req.t($0.0.catalogKey), amount: GrantDisplay.money($0.1, req)) },
            total: GrantDisplay.money(Self.total(practice), req),
            others: others.map { Row(id: GrantDisplay.id($0), title: $0.title, theme: "", place: $0.territory.name.text(req.language), oblast: "", cost: "") },
            hasOthers: !others.isEmpty), title: practice.title)
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
            form.values["\(row.source.rawValue)_som"] = Money(minorUnits: amount).plain(.whenNeeded)
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
            try await AuditLog.record(on: db, by: req.auditActor, action: "practice.publish", entityType: "practice", entityID: GrantDisplay.id(practice), after: practice.snapshot)
        }
        req.flash("admin.saved")
        return req.redirect(to: .practice(practice.id))
    }

    func csv(req: Request) async throws -> Response {
        let practices = try await Practice.query(on: req.db).with(\.$territory).sort(\.$publishedOn).all()
        let rows = practices.map { p in
            [GrantDisplay.id(p), p.title, p.theme.rawValue, p.territory.code, p.publishedOn.description] + p.costs.map { Money(minorUnits: $0.1).plain(.always) } + [p.contact]
        }
        return OpenData.csv(CSV.write(header: ["id", "title", "theme", "territory", "published_on", "grant_som", "local_budget_som", "community_som", "other_som", "contact"], rows: rows),
                            filename: "practices.csv")
    }
}
