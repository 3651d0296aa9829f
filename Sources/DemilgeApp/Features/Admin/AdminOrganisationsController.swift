import DemilgeCore
import Fluent
import Vapor

struct AdminOrganisationsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("organisations", "new", use: newForm)
        routes.post("organisations", use: create)
        routes.get("organisations", ":slug", "edit", use: editForm)
        routes.post("organisations", ":slug", use: update)
    }

    static let fields = ["slug", "kind", "legal_form", "name_ky", "name_ru", "name_en", "territory", "place", "website", "version"]

    struct FormContent: Encodable {
        let form: FormState
        let editing: String?
        let kinds: [Option]
        let legalForms: [Option]
        let places: [PlaceGroup]
    }

    private func render(_ req: Request, _ form: FormState, editing: String? = nil, status: HTTPResponseStatus = .ok) async throws -> Response {
        return try await req.page("admin/organisation-form", titleKey: editing == nil ? "admin.organisations.new" : "admin.organisations.edit", FormContent(
            form: form, editing: editing,
            kinds: OrganisationKind.allCases.map { .init(value: $0.rawValue, label: req.t($0.catalogKey), selected: form["kind"] == $0.rawValue) },
            legalForms: LegalForm.allCases.map { .init(value: $0.rawValue, label: req.t($0.catalogKey), selected: form["legal_form"] == $0.rawValue) },
            places: try await PlaceGroup.choices(req, selected: form["territory"])), forms: true, status: status)
    }

    func newForm(req: Request) async throws -> Response {
        try req.authorize(.manageOrganisations)
        var form = FormState()
        form.values["kind"] = OrganisationKind.cso.rawValue
        return try await render(req, form)
    }

    private func validate(_ form: inout FormState, _ req: Request) async throws -> (OrganisationKind?, LegalForm?, Territory?) {
        form.requireText("name_ky", length: 2...300, req)
        form.optionalText("name_ru", max: 300, req)
        form.optionalText("name_en", max: 300, req)
        form.optionalText("place", max: 200, req)
        form.optionalText("website", max: 300, req)
        let kind = OrganisationKind(rawValue: form["kind"])
        if kind == nil { form.fail("kind", req.t("validation.choose_from_list")) }
        let legalForm = LegalForm(rawValue: form["legal_form"])
        if legalForm == nil, !form["legal_form"].isEmpty { form.fail("legal_form", req.t("validation.choose_from_list")) }
        var territory: Territory? = nil
        if !form["territory"].isEmpty {
            territory = try await Territory.query(on: req.db).filter(\.$code == form["territory"]).first()
            if territory == nil { form.fail("territory", req.t("validation.choose_from_list")) }
        }
        let website = form["website"]
        if !website.isEmpty, !(website.hasPrefix("https://") || website.hasPrefix("http://")) || URL(string: website)?.host == nil {
            form.fail("website", req.t("validation.url"))
        }
        return (kind, legalForm, territory)
    }

    private func apply(_ form: FormState, kind: OrganisationKind, legalForm: LegalForm?, territory: Territory?, to organisation: Organisation) {
        organisation.kind = kind
        organisation.legalForm = legalForm?.rawValue
        organisation.name = form.localized("name")
        organisation.territoryID = territory?.id
        organisation.place = form.optional("place")
        organisation.website = form.optional("website")
    }

    func create(req: Request) async throws -> Response {
        try req.authorize(.manageOrganisations)
        var form = FormState.read(req, fields: Self.fields)
        let (kind, legalForm, territory) = try await validate(&form, req)
        let slug = KyrgyzText.slug(form["slug"].isEmpty ? (form["name_en"].isEmpty ? form["name_ky"] : form["name_en"]) : form["slug"])
        if slug.isEmpty || slug.count > 80 { form.fail("slug", req.t("validation.slug")) }
        else if try await Organisation.query(on: req.db).filter(\.$slug == slug).first() != nil { form.fail("slug", req.t("admin.organisations.slug_taken", ["slug": slug])) }
        guard form.isValid, let kind else { return try await render(req, form, status: .unprocessableEntity) }
        let organisation = Organisation(slug: slug, kind: kind, legalForm: legalForm, name: LocalizedText(ky: ""), territoryID: nil, place: nil, website: nil)
        apply(form, kind: kind, legalForm: legalForm, territory: territory, to: organisation)
        try await req.write { db in
            try await organisation.create(on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "organisation.create", entityType: "organisation",
                                      entityID: slug, after: organisation.snapshot)
        }
        req.flash("admin.saved")
        return req.redirect(to: .organisation(slug))
    }

    private func load(_ req: Request) async throws -> Organisation {
        guard let slug = req.parameters.get("slug"),
              let organisation = try await Organisation.query(on: req.db).filter(\.$slug == slug).with(\.$territory).first() else { throw DemilgeError.notFound }
        return organisation
    }

    func editForm(req: Request) async throws -> Response {
        try req.authorize(.manageOrganisations)
        let organisation = try await load(req)
        var form = FormState()
        form.values = ["slug": organisation.slug, "kind": organisation.kind.rawValue, "legal_form": organisation.legalForm ?? "",
                       "name_ky": organisation.nameKy, "name_ru": organisation.nameRu ?? "", "name_en": organisation.nameEn ?? "",
                       "territory": organisation.territory?.code ?? "", "place": organisation.place ?? "",
                       "website": organisation.website ?? "", "version": String(organisation.version)]
        return try await render(req, form, editing: organisation.slug)
    }

    func update(req: Request) async throws -> Response {
        try req.authorize(.manageOrganisations)
        let organisation = try await load(req)
        var form = FormState.read(req, fields: Self.fields)
        form.values["slug"] = organisation.slug
        let (kind, legalForm, territory) = try await validate(&form, req)
        if form.version != organisation.version { form.failStale("version", req) }
        guard form.isValid, let kind else {
            return try await render(req, form, editing: organisation.slug, status: form.status)
        }
        let before = organisation.snapshot
        let expected = organisation.version
        apply(form, kind: kind, legalForm: legalForm, territory: territory, to: organisation)
        organisation.version = organisation.version.saturatingAdding(1)
        let saved = try await req.write { db -> Bool in
            guard try await VersionClaim.claim(Organisation.schema, id: (try organisation.requireID()), expected: expected, on: db) else { return false }
            try await organisation.update(on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "organisation.update", entityType: "organisation",
                                      entityID: organisation.slug, before: before, after: organisation.snapshot)
            return true
        }
        guard saved else {
            form.failStale("version", req)
            return try await render(req, form, editing: organisation.slug, status: .conflict)
        }
        req.flash("admin.saved")
        return req.redirect(to: .organisation(organisation.slug))
    }
}
