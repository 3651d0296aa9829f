import DemilgeCore
import Fluent
import Vapor

/// Needs-assessment sessions (ЖМБА / СИНС): focus groups by sex and age, their rankings, and the
/// community's priority list in which every group weighs the same.
struct AssessmentController: RouteCollection {
    static let newProblemRows = 3

    func boot(routes: any RoutesBuilder) throws {
        routes.get("assessments", use: index)
        routes.get("assessments.csv", use: exportCSV)
        routes.get("assessments.json", use: exportJSON)
        routes.get("assessments", "new", use: newForm)
        routes.post("assessments", use: create)
        routes.get("assessments", ":id", use: show)
        routes.get("assessments", ":id", "priorities.csv", use: prioritiesCSV)
        routes.get("assessments", ":id", "priorities.json", use: prioritiesJSON)
        routes.post("assessments", ":id", "groups", use: addGroup)
        routes.get("assessments", ":id", "groups", ":group", "ranking", use: rankingForm)
        routes.post("assessments", ":id", "groups", ":group", "ranking", use: saveRanking)
    }


    // MARK: - List and create

    struct SessionRow: Encodable {
        let id: String
        let date: String
        let place: String
        let territory: TerritoryLink
        let groups: Int
        let participants: Int
    }

    static func row(_ session: AssessmentSession, _ req: Request) -> SessionRow {
        SessionRow(id: session.idString, date: session.heldOn.formatted(req.language), place: session.place,
                   territory: TerritoryLink(session.territory, req.language, catalog: req.application.catalog),
                   groups: session.groups.count, participants: session.groups.map(\.participants.total).saturatingSum())
    }

    func index(req: Request) async throws -> Response {
        let sessions = try await AssessmentSession.query(on: req.db).with(\.$territory).with(\.$groups).sort(\.$heldOn, .descending).all()
        struct Content: Encodable { let sessions: [SessionRow]; let canRecord: Bool }
        return try await req.page("assessments/index", titleKey: "assessments.title",
                                  Content(sessions: sessions.map { Self.row($0, req) }, canRecord: Policy.allowsSomewhere(req.actor, .recordFieldWork)))
    }

    private func renderNew(_ req: Request, _ form: FormState, status: HTTPResponseStatus = .ok) async throws -> Response {
        try await req.territoryForm("assessments/new", titleKey: "assessments.new", form, status: status)
    }

    func newForm(req: Request) async throws -> Response {
        guard req.actor.isSignedIn else { throw DemilgeError.signInRequired }
        return try await renderNew(req, FormState())
    }

    func create(req: Request) async throws -> Response {
        guard req.actor.isSignedIn else { throw DemilgeError.signInRequired }
        var form = FormState.read(req, fields: ["territory", "held_on", "place", "facilitators", "notes"])
        form.requireText("place", length: 2...200, req)
        form.requireText("facilitators", length: 2...300, req)
        form.optionalText("notes", max: 5000, req)
        form.requireDay("held_on", req)
        let territory = try await Territory.query(on: req.db).filter(\.$code == form["territory"]).first()
        if territory == nil { form.fail("territory", req.t("validation.choose_from_list")) }
        if let territory, form.errors["territory"] == nil {
            // Refused without changing anything: the form is shown again with the reason.
            if !req.can(.recordFieldWork, on: try await TerritoryPath.target((try territory.requireID()), on: req.db)) {
                form.fail("territory", req.t("assessments.not_your_territory"), .forbidden)
            }
        }
        guard form.isValid, let territory else {
            return try await renderNew(req, form, status: form.status)
        }
        let session = AssessmentSession()
        session.$territory.id = (try territory.requireID())
        session.heldOn = try Day(stored: form["held_on"])
        session.place = form["place"]
        session.facilitators = form["facilitators"]
        session.notes = form["notes"]
        try await req.write { db in
            try await session.create(on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "assessment.create", entityType: "assessment",
                                      entityID: session.idString, after: session.snapshot)
        }
        req.flash("assessments.created")
        return req.redirect(to: .assessment(session.id))
    }

    /// `YYYY-MM-DD` of a real calendar day.

    // MARK: - The session's page

    private func load(_ req: Request) async throws -> AssessmentSession {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
              let session = try await AssessmentSession.query(on: req.db).filter(\.$id == id).with(\.$territory)
                .with(\.$groups, { $0.with(\.$rankings) }).first() else { throw DemilgeError.notFound }
        return session
    }

    static func groupName(_ group: FocusGroup, _ req: Request) -> String {
        group.kind == .custom ? (group.label ?? req.t(FocusGroupKind.custom.catalogKey)) : req.t(group.kind.catalogKey)
    }

    /// The aggregation's input: each group's places, merged duplicates counted as the problem they joined.
    static func rankings(_ session: AssessmentSession, on db: any Database, _ req: Request) async throws -> (rankings: [GroupRanking<UUID>], problems: [UUID: Problem]) {
        let ids = Set(session.groups.flatMap { $0.rankings.map(\.$problem.id) })
        var problems = Dictionary(firstValues: try await Problem.query(on: db).filter(\.$id ~~ Array(ids)).all().compactMap { p in p.id.map { ($0, p) } })
        let mergedTargets = Set(problems.values.compactMap { $0.$mergedInto.id }).subtracting(problems.keys)
        for target in try await Problem.query(on: db).filter(\.$id ~~ Array(mergedTargets)).all() { if let id = target.id { problems[id] = target } }
        let rankings = session.groups.filter { !$0.rankings.isEmpty }.map { group in
            var places: [UUID: Int] = [:]
            for ranking in group.rankings {
                let id = problems[ranking.$problem.id]?.$mergedInto.id ?? ranking.$problem.id
                places[id] = min(places[id] ?? .max, ranking.place)
            }
            return GroupRanking(group: group.id?.uuidString ?? "", places: places)
        }
        return (rankings, problems)
    }

    func show(req: Request) async throws -> Response {
        try await render(req, try await load(req))
    }

    private func render(_ req: Request, _ session: AssessmentSession, form: FormState = FormState(), status: HTTPResponseStatus = .ok) async throws -> Response {
        let page = try await SessionPage.build(req, session, form: form)
        return try await req.page("assessments/show", titleKey: "assessments.session_title", titleArguments: ["place": session.territory.name.text(req.language)],
                                  page, status: status)
    }

    // MARK: - Focus groups and their rankings

    func addGroup(req: Request) async throws -> Response {
        let session = try await load(req)
        try req.authorize(.recordFieldWork, on: try await TerritoryPath.target(session.$territory.id, on: req.db))
        let countFields = Participants.allKeys.map(\.key)
        var form = FormState.read(req, fields: ["kind", "label"] + countFields)
        let kind = FocusGroupKind(rawValue: form["kind"])
        if kind == nil { form.fail("kind", req.t("validation.choose_from_list")) }
        if session.groups.count >= Prioritization.maximumGroups { form.fail("kind", req.t("error.priorities.too_many_groups")) }
        if kind == .custom { form.requireText("label", length: 2...80, req) } else { form.optionalText("label", max: 80, req) }
        var participants = Participants()
        do { participants = try Participants.parse(form.values) }
        catch .notACount(let field), .tooMany(let field) {
            form.fail(field, req.t("validation.count"))
            form.fail("participants", req.t("validation.count"))
        }
        catch { form.fail("participants", req.t("assessments.no_participants")) }
        guard form.isValid, let kind else { return try await render(req, session, form: form, status: .unprocessableEntity) }
        let group = FocusGroup()
        group.$session.id = (try session.requireID())
        group.kind = kind
        group.label = form.optional("label")
        group.participants = participants
        let participantCount = participants.total
        try await req.write { db in
            try await group.create(on: db)
            try await AuditLog.record(on: db, by: req.auditActor, action: "assessment.group", entityType: "assessment",
                                      entityID: session.idString,
                                      after: ["group": group.idString, "kind": group.kind.rawValue, "participants": String(participantCount)])
        }
        req.flash("assessments.group_added")
        return req.redirect(to: "/assessments/\(session.idString)/groups/\(group.idString)/ranking", redirectType: .normal)
    }

    struct RankingContent: Encodable {
        struct Row: Encodable { let id: String; let title: String; let place: String; let error: String? }
        struct NewRow: Encodable { let index: Int; let title: String; let place: String; let categories: [Option]; let error: String? }
        let sessionID: String
        let groupID: String
        let groupName: String
        let rows: [Row]
        let newRows: [NewRow]
        let form: FormState
        let maximum: Int
    }

    private func loadGroup(_ req: Request, _ session: AssessmentSession) throws -> FocusGroup {
        guard let id = req.parameters.get("group").flatMap(UUID.init(uuidString:)),
              let group = session.groups.first(where: { $0.id == id }) else { throw DemilgeError.notFound }
        return group
    }

    /// Problems a group can rank: those of the session's territory and below, and any it ranked before.
    private func candidates(_ session: AssessmentSession, _ group: FocusGroup, on db: any Database) async throws -> [Problem] {
        let subtree = try await TerritoryDirectory.load(on: db).subtree(of: session.$territory.id)
        let ranked = group.rankings.map(\.$problem.id)
        return try await Problem.query(on: db).group(.or) { or in
            or.group(.and) { $0.filter(\.$territory.$id ~~ Array(subtree)).filter(\.$hidden == false).filter(\.$mergedInto.$id == nil) }
            or.filter(\.$id ~~ ranked)
        }.sort(\.$title).all()
    }

    private func renderRanking(_ req: Request, _ session: AssessmentSession, _ group: FocusGroup, form: FormState, status: HTTPResponseStatus = .ok) async throws -> Response {
        let problems = try await candidates(session, group, on: req.db)
        return try await req.page("assessments/ranking", titleKey: "assessments.ranking_title", titleArguments: ["group": Self.groupName(group, req)], RankingContent(
            sessionID: session.idString, groupID: group.idString, groupName: Self.groupName(group, req),
            rows: problems.map { problem in
                let field = "place_\(problem.idString)"
                return .init(id: problem.idString, title: problem.title, place: form[field], error: form.errors[field])
            },
            newRows: (1...Self.newProblemRows).map { index in
                .init(index: index, title: form["new_title_\(index)"], place: form["new_place_\(index)"],
                      categories: ProblemCategory.allCases.map { .init(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0.rawValue == form["new_category_\(index)"]) },
                      error: form.errors["new_\(index)"])
            },
            form: form, maximum: Prioritization.maximumRanked), forms: true, status: status)
    }

    func rankingForm(req: Request) async throws -> Response {
        let session = try await load(req)
        try req.authorize(.recordFieldWork, on: try await TerritoryPath.target(session.$territory.id, on: req.db))
        let group = try loadGroup(req, session)
        var form = FormState()
        for ranking in group.rankings { form.values["place_\(ranking.$problem.id.uuidString.lowercased())"] = String(ranking.place) }
        return try await renderRanking(req, session, group, form: form)
    }

    /// Saves a group's ranking as written on paper: a place number per problem (equal numbers are
    /// ties, blank is not ranked), and problems written down on the spot. Replaces what was there.
    func saveRanking(req: Request) async throws -> Response {
        let session = try await load(req)
        try req.authorize(.recordFieldWork, on: try await TerritoryPath.target(session.$territory.id, on: req.db))
        let group = try loadGroup(req, session)
        let problems = try await candidates(session, group, on: req.db)
        let placeFields = problems.map { "place_\($0.idString)" }
        let newFields = (1...Self.newProblemRows).flatMap { ["new_title_\($0)", "new_category_\($0)", "new_place_\($0)"] }
        var form = FormState.read(req, fields: placeFields + newFields)
        func place(_ field: String) -> Int?? {
            let text = form[field]
            guard !text.isEmpty else { return .some(nil) }
            guard let value = BoundedInt.parse(text, in: 1...Prioritization.maximumRanked) else { return nil }
            return .some(value)
        }
        var places: [UUID: Int] = [:]
        for problem in problems {
            let field = "place_\(problem.idString)"
            switch place(field) {
            case .none: form.fail(field, req.t("assessments.place_range", ["max": String(Prioritization.maximumRanked)]))
            case .some(let value): if let value { places[(try problem.requireID())] = value }
            }
        }
        var newProblems: [(title: String, category: ProblemCategory, place: Int)] = []
        for index in 1...Self.newProblemRows {
            let title = form["new_title_\(index)"]
            guard !title.isEmpty else { continue }
            let category = ProblemCategory(rawValue: form["new_category_\(index)"])
            let value = place("new_place_\(index)")
            if !(5...150).contains(title.count) { form.fail("new_\(index)", req.t("validation.length", ["min": "5", "max": "150"])) }
            else if let category, case .some(.some(let placeValue)) = value { newProblems.append((title, category, placeValue)) }
            else if category == nil { form.fail("new_\(index)", req.t("validation.choose_from_list")) }
            else { form.fail("new_\(index)", req.t("assessments.place_range", ["max": String(Prioritization.maximumRanked)])) }
        }
        if form.isValid {
            if places.isEmpty && newProblems.isEmpty { form.fail("ranking", req.t("error.priorities.empty_group")) }
            else if places.count + newProblems.count > Prioritization.maximumRanked { form.fail("ranking", req.t("error.priorities.too_many")) }
        }
        guard form.isValid else { return try await renderRanking(req, session, group, form: form, status: .unprocessableEntity) }
        let description = req.application.catalog.text("assessments.written_on_spot", .ky, arguments: ["date": session.heldOn.formatted(.ky), "place": session.place])
        let territoryID = session.$territory.id
        let groupID = (try group.requireID())
        let finalPlaces = places
        let written = newProblems
        try await req.write { db in
            var all = finalPlaces
            for item in written {
                let problem = Problem(title: item.title, description: description, category: item.category, territoryID: territoryID, authorID: nil)
                try await problem.create(on: db)
                try await ProblemEvent(problemID: (try problem.requireID()), from: nil, to: .raised, reason: "").create(on: db)
                try await AuditLog.record(on: db, by: req.auditActor, action: "problem.raise", entityType: "problem",
                                          entityID: problem.idString, after: problem.snapshot)
                all[(try problem.requireID())] = item.place
            }
            try await FocusGroupRanking.query(on: db).filter(\.$group.$id == groupID).delete()
            for (problemID, place) in all { try await FocusGroupRanking(groupID: groupID, problemID: problemID, place: place).create(on: db) }
            try await AuditLog.record(on: db, by: req.auditActor, action: "assessment.ranking", entityType: "assessment",
                                      entityID: session.idString,
                                      after: ["group": groupID.uuidString.lowercased(), "ranked": String(all.count)])
        }
        req.flash("assessments.ranking_saved")
        return req.redirect(to: .assessment(session.id))
    }

    // MARK: - Open data (aggregated; no personal data)

    struct SessionExport: Content {
        let id: String, territoryCode: String, territory: String, heldOn: String, place: String, focusGroups: Int
        let participants: [String: Int]
        let participantsTotal: Int
    }

    private func sessionExports(_ req: Request) async throws -> [SessionExport] {
        try await AssessmentSession.query(on: req.db).with(\.$territory).with(\.$groups).sort(\.$heldOn).all().map { session in
            let total = session.groups.reduce(Participants()) { $0 + $1.participants }
            var cells: [String: Int] = [:]
            for sex in Sex.allCases { for band in AgeBand.allCases { cells[Participants.key(sex, band)] = total[sex, band] } }
            return SessionExport(id: session.idString, territoryCode: session.territory.code, territory: session.territory.nameKy,
                                 heldOn: session.heldOn.description, place: session.place, focusGroups: session.groups.count, participants: cells, participantsTotal: total.total)
        }
    }

    func exportCSV(req: Request) async throws -> Response {
        let keys = Participants.allKeys.map(\.key)
        let rows = try await sessionExports(req).map { row in
            [row.id, row.territoryCode, row.territory, row.heldOn, row.place, String(row.focusGroups)] + keys.map { String(row.participants[$0] ?? 0) } + [String(row.participantsTotal)]
        }
        return OpenData.csv(CSV.write(header: ["id", "territory_code", "territory", "held_on", "place", "focus_groups"] + keys + ["participants_total"], rows: rows),
                            filename: "demilge-assessments.csv")
    }

    func exportJSON(req: Request) async throws -> Response {
        try await OpenData.json(try await sessionExports(req), on: req)
    }

    struct PriorityExport: Content {
        /// One focus group's place for the problem. Groups are listed, not keyed by name: two groups may share one
        /// ("women" at two meetings).
        struct GroupPlace: Content { let groupID: String, group: String, place: Int }
        let rank: Int, problemID: String, title: String, pointsPer100: String, groupsRanking: Int
        let places: [GroupPlace]
    }

    private func priorityExports(_ req: Request) async throws -> [PriorityExport] {
        let session = try await load(req)
        let (rankings, problems) = try await Self.rankings(session, on: req.db, req)
        guard let list = try? Prioritization.aggregate(rankings) else { return [] }
        return list.entries.map { entry in
            PriorityExport(rank: entry.rank, problemID: entry.problem.uuidString.lowercased(), title: problems[entry.problem]?.title ?? "",
                           pointsPer100: list.points(entry).text, groupsRanking: entry.groupsRanking,
                           places: session.groups.compactMap { group in
                               guard let id = group.id, let place = entry.places[id.uuidString] else { return nil }
                               return .init(groupID: id.uuidString.lowercased(), group: Self.groupName(group, req), place: place)
                           })
        }
    }

    func prioritiesCSV(req: Request) async throws -> Response {
        let rows = try await priorityExports(req)
        return OpenData.csv(CSV.write(header: ["rank", "problem_id", "title", "points_per_100", "groups_ranking"],
                                      rows: rows.map { [String($0.rank), $0.problemID, $0.title, $0.pointsPer100, String($0.groupsRanking)] }),
                            filename: "demilge-priorities.csv")
    }

    func prioritiesJSON(req: Request) async throws -> Response {
        try await OpenData.json(try await priorityExports(req), on: req)
    }
}
