import DemilgeCore
import Fluent
import Vapor

/// A problem's page: what was raised where, its history, comments and supporters, what the reader may do, and
/// places that solved the same kind of problem.
struct ProblemPage: Encodable {
    static let commentsPerPage = 50
    struct Event: Encodable { let when: String; let status: String; let reason: String }
    struct Comment: Encodable { let id: String; let author: String; let when: String; let body: String; let hidden: Bool; let hiddenReason: String? }
    let problem: ProblemRow
    let description: String
    let path: [TerritoryLink]
    let hasPhoto: Bool
    let hidden: Bool
    let hiddenReason: String?
    let group: Option?
    let events: [Event]
    let comments: [Comment]
    let commentPages: PageLinks
    let signedIn: Bool
    let supported: Bool
    let nextStatuses: [Option]
    let canChangeStatus: Bool
    let canModerate: Bool
    let mergeCandidates: [Option]
    let form: FormState
    let mergedFrom: Int
    let version: Int
    let solvedElsewhere: [Option]
    let hasSolvedElsewhere: Bool

    /// The follow button, for a signed-in reader.
    var follow: FollowButton? = nil

    static func build(_ req: Request, _ problem: Problem, form: FormState) async throws -> ProblemPage {
        let id = (try problem.requireID())
        let target = try await TerritoryPath.target(problem.$territory.id, req)
        let directory = try await req.territoryDirectory()
        let canModerate = req.can(.moderate, on: target)
        let canChange = req.can(.changeProblemStatus, on: target)
        let page = try req.htmlPage(perPage: commentsPerPage)
        let commentQuery = ProblemComment.query(on: req.db).filter(\.$problem.$id == id)
        if !canModerate { commentQuery.filter(\.$hidden == false) }
        let (comments, commentPages) = PageLinks.split(
            try await commentQuery.with(\.$author).sort(\.$createdAt).sort(\.$id).range(page.offset..<(page.offset + page.perPage + 1)).all(),
            page, path: SitePath.problem(id).path, query: "", fragment: "comments")
        let events = try await ProblemEvent.query(on: req.db).filter(\.$problem.$id == id).sort(\.$atMillis).all()
        let supported = try await req.actor.userID.asyncMap { userID in
            try await ProblemSupport.query(on: req.db).filter(\.$problem.$id == id).filter(\.$user.$id == userID).first() != nil
        } ?? false
        var candidates: [Problem] = []
        if req.can(.mergeProblems, on: target) {
            let subtree = directory.subtree(of: (try directory.topLevel(of: problem.territory).requireID()))
            candidates = try await Problem.query(on: req.db).filter(\.$hidden == false).filter(\.$mergedInto.$id == nil)
                .filter(\.$territory.$id ~~ Array(subtree)).filter(\.$id != id).sort(\.$title).all()
        }
        let practices = try await Practice.solvedElsewhere(problem.category, notIn: problem.$territory.id, on: req.db)
        return ProblemPage(
            problem: ProblemRow.of(problem, req), description: problem.description,
            path: directory.path(to: problem.territory).map { TerritoryLink($0, req.language, catalog: req.application.catalog) },
            hasPhoto: problem.photo != nil, hidden: problem.hidden, hiddenReason: canModerate ? problem.hiddenReason : nil,
            group: try await problem.$group.get(on: req.db).map { .init(value: $0.idString, label: $0.name, selected: false) },
            events: events.map { .init(when: Formatters.date(Date(millis: $0.atMillis), req.language),
                                       status: req.t($0.toStatus.catalogKey), reason: $0.reason) },
            comments: comments.map { .init(id: $0.idString, author: $0.author.displayName,
                                           when: $0.createdAt.map { Formatters.dateTime($0, req.language) } ?? "", body: $0.body,
                                           hidden: $0.hidden, hiddenReason: $0.hiddenReason) },
            commentPages: commentPages,
            signedIn: req.actor.isSignedIn, supported: supported,
            nextStatuses: problem.status.next.map { .init(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0.rawValue == form["to"]) },
            canChangeStatus: canChange, canModerate: canModerate,
            mergeCandidates: candidates.map { .init(value: $0.idString, label: $0.title, selected: false) },
            form: form,
            mergedFrom: try await Problem.query(on: req.db).filter(\.$mergedInto.$id == id).count(),
            version: problem.version,
            solvedElsewhere: practices.map { .init(value: $0.idString, label: "\($0.title) — \($0.territory.name.text(req.language))", selected: false) },
            hasSolvedElsewhere: !practices.isEmpty)
    }
}
