import DemilgeCore
import Fluent
import Vapor

struct AdminTerritoriesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("territories", "new", use: newForm)
        routes.post("territories", use: create)
        routes.get("territories", "import", use: importForm)
        routes.on(.POST, "territories", "import", body: .collect(maxSize: BodyLimits.upload), use: importCSV)
        routes.get("territories", ":code", "edit", use: editForm)
        routes.post("territories", ":code", use: update)
    }

    struct FormContent: Encodable {
        let form: FormState
        let editing: String?
        let kinds: [Option]
        let parents: [PlaceGroup]
    }

    static let fields = ["kind", "parent", "slug", "iso_code", "name_ky", "name_ru", "name_en", "aliases", "version"]

    private func render(_ req: Request, _ form: FormState, editing: Territory? = nil, status: HTTPResponseStatus = .ok) async throws -> Response {
        let directory = try await req.territoryDirectory()
        let language = req.language
        let parents = KyrgyzText.sorted(directory.roots, by: { $0.name.text(language) }, language).map { root in
            let members = [root] + KyrgyzText.sorted(
                directory.subtree(of: root).subtracting(root.id.map { [$0] } ?? []).compactMap { directory.byID[$0] }
                    .filter { [.raion, .ayilAimak, .city, .cityDistrict].contains($0.kind) },
                by: { $0.name.text(language) }, language)
            return PlaceGroup(label: root.name.text(language), options: members.map {
                .init(code: $0.code, label: "\($0.name.text(language)) · \(req.t($0.kind.catalogKey))", selected: $0.code == form["parent"])
            })
        }
        return try await req.page("admin/territory-form", titleKey: editing == nil ? "admin.territories.new" : "admin.territories.edit",
                                          FormContent(form: form, editing: editing?.code,
                                                      kinds: TerritoryKind.allCases.map { .init(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0.rawValue == form["kind"]) },
                                                      parents: parents), forms: true, status: status)
    }

    func newForm(req: Request) async throws -> Response {
        try req.authorize(.manageTerritories)
        var form = FormState()
        form.values["kind"] = TerritoryKind.settlement.rawValue
        form.values["parent"] = req.query["parent"] ?? ""
        return try await render(req, form)
    }

    /// Validates the fields common to adding and editing; returns the parent if any.
    private func validate(_ form: inout FormState, _ req: Request) async throws -> (TerritoryKind?, Territory?) {
        form.requireText("name_ky", length: 1...150, req)
        form.optionalText("name_ru", max: 150, req)
        form.optionalText("name_en", max: 150, req)
        form.optionalText("aliases", max: 500, req)
        form.optionalText("iso_code", max: 10, req)
        let kind = TerritoryKind(rawValue: form["kind"])
        if kind == nil { form.fail("kind", req.t("validation.choose_from_list")) }
        var parent: Territory? = nil
        if !form["parent"].isEmpty {
            parent = try await Territory.query(on: req.db).filter(\.$code == form["parent"]).first()
            if parent == nil { form.fail("parent", req.t("validation.choose_from_list")) }
        }
        if let kind, form.errors["parent"] == nil {
            do { try TerritoryRules.check(kind: kind, parentKind: parent?.kind) }
            catch { form.fail("parent", req.t(error.catalogKey)) }
        }
        return (kind, parent)
    }

    private func aliases(_ form: FormState) -> [String] {
        form["aliases"].split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    func create(req: Request) async throws -> Response {
        try req.authorize(.manageTerritories)
        var form = FormState.read(req, fields: Self.fields)
        let (kind, parent) = try await validate(&form, req)
        let slug = KyrgyzText.slug(form["slug"].isEmpty ? (form["name_en"].isEmpty ? form["name_ky"] : form["name_en"]) : form["slug"])
        let code = form["iso_code"].isEmpty || parent != nil ? [parent?.code ?? "KG", slug].joined(separator: "-") : form["iso_code"]
        if slug.isEmpty || !TerritoryRules.isValidCode(code) { form.fail("slug", req.t("error.territory.code")) }
        else if try await Territory.query(on: req.db).filter(\.$code == code).first() != nil { form.fail("slug", req.t("admin.territories.code_taken", ["code": code])) }
        guard form.isValid, let kind else { return try await render(req, form, status: .unprocessableEntity) }
        let territory = Territory(code: code, kind: kind, parentID: parent?.id, isoCode: form.optional("iso_code"),
                                  name: form.localized("name"), aliases: aliases(form))
        try await req.write { db in
            try await territory.create(on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "territory.create", entityType: "territory",
                                      entityID: code, after: territory.snapshot)
        }
        req.flash("admin.saved")
        return req.redirect(to: .territory(code))
    }

    private func load(_ req: Request) async throws -> Territory {
        guard let code = req.parameters.get("code"),
              let territory = try await Territory.query(on: req.db).filter(\.$code == code).with(\.$parent).first() else { throw DemilgeError.notFound }
        return territory
    }

    func editForm(req: Request) async throws -> Response {
        try req.authorize(.manageTerritories)
        let territory = try await load(req)
        var form = FormState()
        form.values = ["kind": territory.kind.rawValue, "parent": territory.parent?.code ?? "", "slug": territory.code,
                       "iso_code": territory.isoCode ?? "", "name_ky": territory.nameKy, "name_ru": territory.nameRu ?? "",
                       "name_en": territory.nameEn ?? "", "aliases": territory.aliases, "version": String(territory.version)]
        return try await render(req, form, editing: territory)
    }

    /// Renames or moves a territory. Its code stays, so links and imports keep working.
    func update(req: Request) async throws -> Response {
        try req.authorize(.manageTerritories)
        let territory = try await load(req)
        var form = FormState.read(req, fields: Self.fields)
        form.values["slug"] = territory.code
        let (kind, parent) = try await validate(&form, req)
        if let parent, try await TerritoryPath.ids(from: (try parent.requireID()), on: req.db).contains((try territory.requireID())) {
            form.fail("parent", req.t("error.territory.cycle"))
        }
        if form.version != territory.version { form.failStale("version", req) }
        guard form.isValid, let kind else {
            return try await render(req, form, editing: territory, status: form.status)
        }
        let before = territory.snapshot
        territory.kind = kind
        territory.$parent.id = parent?.id
        territory.isoCode = form.optional("iso_code")
        territory.name = form.localized("name")
        territory.aliases = aliases(form).joined(separator: ";")
        territory.version = territory.version.saturatingAdding(1)
        let saved = try await req.write { db -> Bool in
            guard try await VersionClaim.claim(Territory.schema, id: (try territory.requireID()), expected: territory.version - 1, on: db) else { return false }
            try await territory.update(on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "territory.update", entityType: "territory",
                                      entityID: territory.code, before: before, after: territory.snapshot)
            return true
        }
        guard saved else {
            form.failStale("version", req)
            return try await render(req, form, editing: territory, status: .conflict)
        }
        req.flash("admin.saved")
        return req.redirect(to: .territory(territory.code))
    }

    struct ImportContent: Encodable {
        struct LineError: Encodable { let line: Int; let message: String }
        let form: FormState
        let errors: [LineError]
        let header: String
    }

    func importForm(req: Request) async throws -> Response {
        try req.authorize(.manageTerritories)
        return try await req.page("admin/territory-import", titleKey: "admin.territories.import",
                                  ImportContent(form: FormState(), errors: [], header: TerritoryCSV.header.joined(separator: ",")), forms: true)
    }

    struct Upload: Content {
        var file: File?
        var csv: String?
    }

    func importCSV(req: Request) async throws -> Response {
        try req.authorize(.manageTerritories)
        let upload = try? req.content.decode(Upload.self)
        var text = upload?.csv ?? ""
        if let file = upload?.file, file.data.readableBytes > 0 {
            guard let decoded = file.data.getString(at: file.data.readerIndex, length: file.data.readableBytes, encoding: .utf8) else {
                return try await importFailed(req, text: "", [.init(line: 0, message: req.t("error.csv.encoding"))])
            }
            text = decoded
        }
        text = text.withoutControlCharacters
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            return try await importFailed(req, text: text, [.init(line: 0, message: req.t("validation.required"))])
        }
        let existing = Dictionary(firstValues: try await Territory.query(on: req.db).all().map { ($0.code, $0.kind) })
        switch TerritoryCSV.parse(text, existing: existing) {
        case .failure(let errors):
            return try await importFailed(req, text: text, errors.lines.map { .init(line: $0.line, message: "\(req.t($0.catalogKey)): \($0.detail)") })
        case .success(let records):
            let summary = try await req.write { db in
                try await TerritoryImporter.apply(records, mode: .createOrUpdate, by: req.auditActor, on: db)
            }
            req.session.data["flash"] = nil
            req.flash("admin.territories.imported")
            req.session.data["import_summary"] = "\(summary.created)/\(summary.updated)/\(summary.unchanged)"
            return req.redirect(to: "/territories", redirectType: .normal)
        }
    }

    private func importFailed(_ req: Request, text: String, _ errors: [ImportContent.LineError]) async throws -> Response {
        var form = FormState()
        form.values["csv"] = text.count <= 200_000 ? text : ""
        form.errors["csv"] = req.t("admin.territories.import_failed")
        return try await req.page("admin/territory-import", titleKey: "admin.territories.import",
                                  ImportContent(form: form, errors: errors, header: TerritoryCSV.header.joined(separator: ",")), forms: true, status: .unprocessableEntity)
    }
}
