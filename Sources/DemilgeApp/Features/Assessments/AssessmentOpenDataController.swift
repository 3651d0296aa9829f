import DemilgeCore
import Fluent
import Vapor

/// Needs assessments as open data, aggregated (no personal data): the sessions with participants by sex and age,
/// and one session's priority list.
struct AssessmentOpenDataController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("assessments.csv", use: exportCSV)
        routes.get("assessments.json", use: exportJSON)
        routes.get("assessments", ":id", "priorities.csv", use: prioritiesCSV)
        routes.get("assessments", ":id", "priorities.json", use: prioritiesJSON)
    }

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
        let session = try await AssessmentController.load(req)
        let (rankings, problems) = try await SessionRankings.load(session, on: req.db, req)
        let list: PriorityList<UUID>
        switch SessionRankings.priorities(rankings) {
        case .success(let aggregated?): list = aggregated
        case .success(nil): return []
        case .failure(let problem): throw DemilgeError.priorities(problem)
        }
        return list.entries.map { entry in
            PriorityExport(rank: entry.rank, problemID: entry.problem.uuidString.lowercased(), title: problems[entry.problem]?.title ?? "",
                           pointsPer100: list.points(entry).text, groupsRanking: entry.groupsRanking,
                           places: session.groups.compactMap { group in
                               guard let id = group.id, let place = entry.places[id.uuidString] else { return nil }
                               return .init(groupID: id.uuidString.lowercased(), group: group.displayName(req), place: place)
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
