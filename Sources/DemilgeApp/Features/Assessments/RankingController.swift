import DemilgeCore
import Fluent
import Vapor

/// A focus group's ranking, typed in from the paper form after the meeting.
struct RankingController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("assessments", ":id", "groups", ":group", "ranking", use: rankingForm)
        routes.post("assessments", ":id", "groups", ":group", "ranking", use: saveRanking)
    }

    private func loadGroup(_ req: Request, _ session: AssessmentSession) throws -> FocusGroup {
        guard let id = req.parameters.get("group").flatMap(UUID.init(uuidString:)),
              let group = session.groups.first(where: { $0.id == id }) else { throw DemilgeError.notFound }
        return group
    }

    private func renderRanking(_ req: Request, _ session: AssessmentSession, _ group: FocusGroup, form: FormState, status: HTTPResponseStatus = .ok) async throws -> Response {
        try await req.page("assessments/ranking", titleKey: "assessments.ranking_title", titleArguments: ["group": group.displayName(req)],
                           try await RankingPage.build(req, session, group, form: form), forms: true, status: status)
    }

    func rankingForm(req: Request) async throws -> Response {
        let session = try await AssessmentController.load(req)
        try req.authorize(.recordFieldWork, on: try await TerritoryPath.target(session.$territory.id, on: req.db))
        let group = try loadGroup(req, session)
        var form = FormState()
        for ranking in group.rankings { form.values["place_\(ranking.$problem.id.uuidString.lowercased())"] = String(ranking.place) }
        return try await renderRanking(req, session, group, form: form)
    }

    /// Saves a group's ranking as written on paper: a place number per problem (equal numbers are
    /// ties, blank is not ranked), and problems written down on the spot. Replaces what was there.
    func saveRanking(req: Request) async throws -> Response {
        let session = try await AssessmentController.load(req)
        try req.authorize(.recordFieldWork, on: try await TerritoryPath.target(session.$territory.id, on: req.db))
        let group = try loadGroup(req, session)
        let problems = try await RankingPage.candidates(session, group, on: req.db)
        let placeFields = problems.map { "place_\($0.idString)" }
        let newFields = (1...RankingPage.newProblemRows).flatMap { ["new_title_\($0)", "new_category_\($0)", "new_place_\($0)"] }
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
        for index in 1...RankingPage.newProblemRows {
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
}
