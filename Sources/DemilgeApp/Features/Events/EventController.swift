import DemilgeCore
import Fluent
import Vapor

/// Exchange visits, round tables, conferences, trainings and public budget hearings: who hosted, who was invited,
/// what was on the agenda, what came of it and who took part by sex and age.
struct EventController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("events", use: index)
        routes.get("events", "new", use: newForm)
        routes.post("events", use: create)
        routes.get("events", ":id", use: show)
        routes.get("events.csv", use: csv)
    }


    func index(req: Request) async throws -> Response {
        try await req.page("events/index", titleKey: "events.title", try await EventListPage.build(req, kind: req.query[String.self, at: "kind"] ?? ""))
    }

    func show(req: Request) async throws -> Response {
        guard let id = req.parameters.get("id")?.uuid,
              let event = try await Event.query(on: req.db).filter(\.$id == id).with(\.$host).with(\.$invited).with(\.$organiser).with(\.$programme).first()
        else { throw DemilgeError.notFound }
        return try await req.page("events/show", titleKey: "events.title", EventPage.build(req, event), title: event.title)
    }

    // MARK: - Recording an event

    struct NewContent: Encodable {
        let form: FormState, kinds: [Option], places: [PlaceGroup], invited: [PlaceGroup]
        let programmes: [Option], organisations: [Option], grid: [ParticipantGrid.Row], bands: [String]
    }

    static let fields = ["kind", "title", "host", "programme", "organiser", "held_on", "agenda", "outcomes", "participants_note"]
        + Participants.allKeys.map(\.key)

    private func renderNew(_ req: Request, _ form: FormState, invited: Set<String>, status: HTTPResponseStatus = .ok) async throws -> Response {
        let programmes = try await Self.taggable(req)
        let organisations = KyrgyzText.sorted(try await Organisation.query(on: req.db).all(), by: { $0.name.text(req.language) }, req.language)
        return try await req.page("events/new", titleKey: "events.new", NewContent(
            form: form, kinds: EventKind.allCases.map { Option(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0.rawValue == form["kind"]) },
            places: try await PlaceGroup.choices(req, selected: form["host"], includeTopLevel: true),
            invited: try await PlaceGroup.choices(req, selected: invited, includeTopLevel: true),
            programmes: programmes.map { Option(value: $0.slug, label: $0.name.text(req.language), selected: $0.slug == form["programme"]) },
            organisations: organisations.map { Option(value: $0.slug, label: $0.name.text(req.language), selected: $0.slug == form["organiser"]) },
            grid: ParticipantGrid.rows(form, req), bands: AgeBand.allCases.map { req.t($0.catalogKey) }), forms: true, status: status)
    }

    /// The programmes an author may tag an event with: those they work for (a programme-scoped role that may record
    /// events — its manager), or any for an administrator. Staff of a territory record its events untagged.
    static func taggable(_ req: Request) async throws -> [Programme] {
        try await Programme.query(on: req.db).sort(\.$slug).all().filter { req.can(.recordEvent, on: Target(programmeID: $0.id)) }
    }

    func newForm(req: Request) async throws -> Response {
        guard req.actor.isSignedIn else { throw DemilgeError.signInRequired }
        guard Policy.allowsSomewhere(req.actor, .recordEvent) else { throw DemilgeError.forbidden }
        return try await renderNew(req, FormState(), invited: [])
    }

    func create(req: Request) async throws -> Response {
        guard req.actor.isSignedIn else { throw DemilgeError.signInRequired }
        var form = FormState.read(req, fields: Self.fields)
        let invitedList = req.formList("invited", max: 500)
        let invitedCodes = Set(invitedList ?? [])
        form.requireText("title", length: 3...200, req)
        form.optionalText("agenda", max: 5000, req)
        form.optionalText("outcomes", max: 5000, req)
        form.optionalText("participants_note", max: 300, req)
        let kind = EventKind(rawValue: form["kind"])
        if kind == nil { form.fail("kind", req.t("validation.choose_from_list")) }
        form.requireDay("held_on", req)
        let host = try await Territory.query(on: req.db).filter(\.$code == form["host"]).first()
        let programme = form["programme"].isEmpty ? nil : try await Self.taggable(req).first { $0.slug == form["programme"] }
        if !form["programme"].isEmpty && programme == nil { form.fail("programme", req.t("events.not_your_programme")) }
        let organiser = form["organiser"].isEmpty ? nil : try await Organisation.query(on: req.db).filter(\.$slug == form["organiser"]).first()
        if let host {
            // Staff and facilitators record events of their territories; programme managers those of their programme.
            var target = try await TerritoryPath.target(try host.requireID(), on: req.db)
            target.programmeID = programme?.id
            if !req.can(.recordEvent, on: target) { form.fail("host", req.t("events.not_yours"), .forbidden) }
        } else {
            form.fail("host", req.t("validation.choose_from_list"))
        }
        let invited = invitedCodes.isEmpty ? [] : try await Territory.query(on: req.db).filter(\.$code ~~ Array(invitedCodes)).all()
        if invitedList == nil { form.fail("invited", req.t("validation.too_many")) }
        else if invited.count != invitedCodes.count { form.fail("invited", req.t("validation.choose_from_list")) }
        var participants = Participants()
        do { participants = try Participants.parse(form.values) } catch .none {} catch { form.fail("participants", req.t("validation.count")) }
        guard form.isValid, let kind, let host else {
            return try await renderNew(req, form, invited: invitedCodes, status: form.status)
        }
        let event = Event()
        event.kind = kind
        event.title = form["title"]
        event.$host.id = (try host.requireID())
        event.$organiser.id = organiser?.id
        event.$programme.id = programme?.id
        event.heldOn = try Day(stored: form["held_on"])
        event.agenda = form["agenda"]
        event.outcomes = form["outcomes"]
        event.participants = participants
        event.participantsNote = form["participants_note"]
        event.version = 1
        let invitedIDs = invited.compactMap(\.id)
        try await req.write { db in
            try await event.create(on: db)
            for id in invitedIDs { try await EventInvitation(eventID: (try event.requireID()), territoryID: id).create(on: db) }
            try await AuditLog.record(on: db, by: req.auditActor, action: "event.create", entityType: "event", entityID: event.idString, after: event.snapshot)
        }
        req.flash("admin.saved")
        return req.redirect(to: .event(event.id))
    }

    func csv(req: Request) async throws -> Response {
        let events = try await Event.query(on: req.db).with(\.$host).with(\.$invited).with(\.$programme).sort(\.$heldOn).all()
        let header = ["id", "kind", "title", "held_on", "host", "invited", "programme"] + Participants.allKeys.map(\.key) + ["participants_note"]
        let rows = events.map { e -> [String] in
            [e.idString, e.kind.rawValue, e.title, e.heldOn.description, e.host.code, e.invited.map(\.code).sorted().joined(separator: " "), e.programme?.slug ?? ""]
                + Participants.allKeys.map { String(e.participants[$0.sex, $0.band]) } + [e.participantsNote]
        }
        return OpenData.csv(CSV.write(header: header, rows: rows), filename: "events.csv")
    }
}
