import DemilgeCore
import Fluent
import Vapor

/// One focus group's ranking form as written on paper: a place per problem that may be ranked, and rows for problems
/// written down on the spot.
struct RankingPage: Encodable {
    struct Row: Encodable { let id: String; let title: String; let place: String; let error: String? }
    struct NewRow: Encodable { let index: Int; let title: String; let place: String; let categories: [Option]; let error: String? }
    let sessionID: String
    let groupID: String
    let groupName: String
    let rows: [Row]
    let newRows: [NewRow]
    let form: FormState
    let maximum: Int

    /// How many problems written down on the spot one form takes.
    static let newProblemRows = 3

    static func build(_ req: Request, _ session: AssessmentSession, _ group: FocusGroup, form: FormState) async throws -> RankingPage {
        let problems = try await candidates(session, group, on: req.db)
        return RankingPage(
            sessionID: session.idString, groupID: group.idString, groupName: group.displayName(req),
            rows: problems.map { problem in
                let field = "place_\(problem.idString)"
                return .init(id: problem.idString, title: problem.title, place: form[field], error: form.errors[field])
            },
            newRows: (1...newProblemRows).map { index in
                .init(index: index, title: form["new_title_\(index)"], place: form["new_place_\(index)"],
                      categories: ProblemCategory.allCases.map { .init(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0.rawValue == form["new_category_\(index)"]) },
                      error: form.errors["new_\(index)"])
            },
            form: form, maximum: Prioritization.maximumRanked)
    }

    /// Problems a group can rank: those of the session's territory and below, and any it ranked before.
    static func candidates(_ session: AssessmentSession, _ group: FocusGroup, on db: any Database) async throws -> [Problem] {
        let subtree = try await TerritoryDirectory.load(on: db).subtree(of: session.$territory.id)
        let ranked = group.rankings.map(\.$problem.id)
        return try await Problem.query(on: db).group(.or) { or in
            or.group(.and) { $0.filter(\.$territory.$id ~~ Array(subtree)).filter(\.$hidden == false).filter(\.$mergedInto.$id == nil) }
            or.filter(\.$id ~~ ranked)
        }.sort(\.$title).all()
    }
}
