import DemilgeCore
import Fluent
import Vapor

/// A call's page: its terms, the applications (and, to those who may see it, their scores and the ranking against
/// the budget), its reviewers, and what the reader may do next.
struct CallPage: Encodable {
    struct ApplicationRow: Encodable {
        let id: String, title: String, organisation: String, organisationSlug: String, territory: String, requested: String
        let status: String, statusKey: String, score: String, spread: String, hasScore: Bool
        let decision: String, hasDecision: Bool
    }

    struct ReviewerRow: Encodable { let name: String; let declared: Bool; let scored: Int }

    let id: String, title: String, description: String, programme: String, programmeSlug: String
    let budget: String, minGrant: String, maxGrant: String, coFunding: Int, kinds: String, territories: String, deadline: String
    let documents: [String], hasDocuments: Bool
    let criteria: [GrantCall.Criterion]
    let minimumScore: Int
    let status: String, statusKey: String
    let applications: [ApplicationRow], hasApplications: Bool
    let ranking: [ApplicationRow], hasRanking: Bool, rankingNote: String
    let isManager: Bool, isReviewer: Bool, canApply: Bool, isOpen: Bool
    let nextStatus: String, nextStatusLabel: String, version: Int
    let reviewers: [ReviewerRow], hasReviewers: Bool
    let canDecide: Bool
    /// The managers' forms (a visitor is shown none, so the page can be kept for visitors).
    var hasForms: Bool { canDecide || isManager }
    let form: FormState
    let decided: Bool
    let left: String

    /// The follow button, for a signed-in reader.
    var follow: FollowButton? = nil

    static func build(_ req: Request, _ call: GrantCall, form: FormState) async throws -> CallPage {
        let viewer = try await GrantViewer.load(req, call: call)
        let board = try await CallBoard.load(call, on: req.db)
        let visible = board.applications.filter { $0.status != .draft || viewer.isApplicant($0) || viewer.isManager }
        func row(_ application: GrantApplication, line: GrantRanking.Line? = nil) -> ApplicationRow {
            let aggregate = viewer.seesScores(of: application, call: call) ? board.aggregate(application) : nil
            let showScore = aggregate != nil
            var decision = ""
            switch line?.decision {
            case .funded(let leftAfter): decision = req.t("grants.rank_funded", ["left": GrantDisplay.money(leftAfter, req)])
            case .reserve(let position, let left): decision = req.t("grants.rank_reserve", ["position": String(position), "left": GrantDisplay.money(left, req)])
            case .belowThreshold: decision = req.t("grants.rank_below", ["minimum": String(call.minimumScore)])
            case nil: break
            }
            if line?.tieBroken == true { decision += " " + req.t("grants.rank_tie") }
            return ApplicationRow(
                id: application.idString, title: application.title, organisation: application.organisation.name.text(req.language),
                organisationSlug: application.organisation.slug, territory: application.territory.name.text(req.language),
                requested: GrantDisplay.money(application.requestedTyiyn, req), status: req.t(application.status.catalogKey), statusKey: application.status.rawValue,
                score: aggregate.map { GrantDisplay.score($0.mean, req) } ?? "", spread: aggregate.map { GrantDisplay.score($0.spread, req) } ?? "",
                hasScore: showScore, decision: decision, hasDecision: !decision.isEmpty)
        }
        let ranking = viewer.seesRanking(of: board) ? board.ranking() : []
        let byID = Dictionary(firstValues: board.applications.map { ($0.idString, $0) })
        let reviewers = try await GrantReviewer.query(on: req.db).filter(\.$call.$id == (try call.requireID())).with(\.$user).all()
        let next = call.status.next
        let awardedTotal = board.applications.filter { GrantDisplay.awarded.contains($0.status) }.map(\.requestedTyiyn).saturatingSum()
        return CallPage(
            id: call.idString, title: call.title, description: call.description, programme: call.programme.name.text(req.language),
            programmeSlug: call.programme.slug, budget: GrantDisplay.money(call.budgetTyiyn, req), minGrant: GrantDisplay.money(call.minGrantTyiyn, req),
            maxGrant: GrantDisplay.money(call.maxGrantTyiyn, req), coFunding: call.coFundingPercent,
            kinds: ApplicantKind.allCases.filter(call.applicantKinds.contains).map { req.t($0.catalogKey) }.joined(separator: ", "),
            territories: try await Self.territoryNames(call, req), deadline: call.deadline.formatted(req.language),
            documents: call.documents.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty },
            hasDocuments: !call.documents.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty,
            criteria: call.criteria, minimumScore: call.minimumScore,
            status: req.t(call.status.catalogKey), statusKey: call.status.rawValue,
            applications: visible.map { row($0) }, hasApplications: !visible.isEmpty,
            ranking: ranking.compactMap { line in byID[line.id].map { row($0, line: line) } }, hasRanking: !ranking.isEmpty,
            rankingNote: req.t("grants.ranking_note", ["budget": GrantDisplay.money(call.budgetTyiyn, req), "minimum": String(call.minimumScore)]),
            isManager: viewer.isManager, isReviewer: viewer.reviewer != nil,
            canApply: call.status == .open && req.actor.isSignedIn, isOpen: call.status == .open,
            nextStatus: next?.rawValue ?? "", nextStatusLabel: next.map { req.t("grants.move_call.\($0.rawValue)") } ?? "", version: call.version,
            reviewers: reviewers.map { r in
                ReviewerRow(name: r.user.displayName, declared: r.declaredAt != nil, scored: board.sheets.filter { $0.$reviewer.id == r.id }.count)
            },
            hasReviewers: !reviewers.isEmpty,
            canDecide: viewer.isManager && call.status == .review && !ranking.isEmpty,
            form: form, decided: call.status == .decided,
            left: GrantDisplay.money(call.budgetTyiyn.saturatingSubtracting(awardedTotal), req))
    }

    private static func territoryNames(_ call: GrantCall, _ req: Request) async throws -> String {
        let ids = call.territoryIDs
        guard !ids.isEmpty else { return req.t("grants.whole_country") }
        return try await Territory.query(on: req.db).filter(\.$id ~~ ids).all().map { $0.name.text(req.language) }.joined(separator: ", ")
    }
}
