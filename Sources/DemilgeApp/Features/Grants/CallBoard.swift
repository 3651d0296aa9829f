import DemilgeCore
import Fluent
import Vapor

/// A call's applications with their score sheets and what the commission sees of them.
struct CallBoard {
    let call: GrantCall
    let applications: [GrantApplication]
    let sheets: [GrantScoreSheet]
    let reviewers: [GrantReviewer]
    /// Declared conflicts still in force (withdrawn ones are left out).
    let conflicts: [GrantConflict]
    let memberships: [UUID: (organisations: Set<UUID>, territories: Set<UUID>)]

    static func load(_ call: GrantCall, on db: any Database) async throws -> CallBoard {
        let applications = try await GrantApplication.query(on: db).filter(\.$call.$id == (try call.requireID()))
            .with(\.$organisation).with(\.$territory).sort(\.$submittedAt).sort(\.$createdAt).all()
        return try await load(call, applications, only: nil, on: db)
    }

    /// The board of one application alone (its page): its sheets and conflicts, not the whole call's, which at a
    /// country's scale holds thousands of applications. Only the per-application answers are meaningful on it.
    static func load(_ call: GrantCall, only application: GrantApplication, on db: any Database) async throws -> CallBoard {
        try await load(call, [application], only: try application.requireID(), on: db)
    }

    private static func load(_ call: GrantCall, _ applications: [GrantApplication], only: UUID?, on db: any Database) async throws -> CallBoard {
        let reviewers = try await GrantReviewer.query(on: db).filter(\.$call.$id == (try call.requireID())).all()
        let reviewerIDs = reviewers.compactMap(\.id)
        var sheets: [GrantScoreSheet] = [], conflicts: [GrantConflict] = []
        if !reviewerIDs.isEmpty {
            let sheetQuery = GrantScoreSheet.query(on: db).filter(\.$reviewer.$id ~~ reviewerIDs)
            let conflictQuery = GrantConflict.query(on: db).filter(\.$reviewer.$id ~~ reviewerIDs).filter(\.$withdrawnAt == nil)
            if let only {
                sheetQuery.filter(\.$application.$id == only)
                conflictQuery.filter(\.$application.$id == only)
            }
            sheets = try await sheetQuery.all()
            conflicts = try await conflictQuery.all()
        }
        let users = reviewers.map { $0.$user.id }
        let members = users.isEmpty ? [] : try await OrganisationMember.query(on: db).filter(\.$user.$id ~~ users).with(\.$organisation).all()
        var memberships: [UUID: (organisations: Set<UUID>, territories: Set<UUID>)] = [:]
        for member in members {
            var entry = memberships[member.$user.id] ?? ([], [])
            entry.organisations.insert(member.$organisation.id)
            if let territory = member.organisation.territoryID { entry.territories.insert(territory) }
            memberships[member.$user.id] = entry
        }
        return CallBoard(call: call, applications: applications, sheets: sheets, reviewers: reviewers, conflicts: conflicts, memberships: memberships)
    }

    /// Reviewers conflicted with an application, declared or by their organisations.
    func conflicted(_ application: GrantApplication) -> Set<UUID> {
        Set(reviewers.filter { reviewer in
            let member = memberships[reviewer.$user.id] ?? ([], [])
            let declared = conflicts.contains { $0.$reviewer.id == reviewer.id && $0.$application.id == application.id }
            return ReviewAccess.conflict(reviewerOrganisations: member.organisations, reviewerOrganisationTerritories: member.territories,
                                         declared: declared, applicant: application.$organisation.id, territoryPath: [application.$territory.id]) != nil
        }.compactMap(\.id))
    }

    func sheets(of application: GrantApplication) -> [GrantScoreSheet] { sheets.filter { $0.$application.id == application.id } }

    /// The sheets that count: a conflicted reviewer's sheet never does, however it got there.
    func countedSheets(of application: GrantApplication) -> [GrantScoreSheet] {
        let conflicted = conflicted(application)
        return sheets(of: application).filter { !conflicted.contains($0.$reviewer.id) }
    }

    func revealed(_ application: GrantApplication) -> Bool {
        ReviewAccess.scoresRevealed(reviewers: Set(reviewers.compactMap(\.id)), conflicted: conflicted(application),
                                    scored: Set(sheets(of: application).map { $0.$reviewer.id }))
    }

    /// Mean and spread of the weighted scores, once every unconflicted reviewer has scored.
    func aggregate(_ application: GrantApplication) -> GrantReview.Aggregate? {
        guard revealed(application) else { return nil }
        return GrantReview.aggregate(countedSheets(of: application).compactMap { GrantDisplay.weighted($0, call) })
    }

    /// The fully scored applications ranked within the call's budget (already awarded ones keep their money).
    func ranking() -> [GrantRanking.Line] {
        let ranked: Set<GrantStatus> = [.underReview, .scored, .approved, .reserve, .rejected, .contracted, .inImplementation, .completed, .terminated, .closed]
        let candidates = applications.enumerated().compactMap { index, application -> GrantRanking.Candidate? in
            guard ranked.contains(application.status), let aggregate = aggregate(application) else { return nil }
            return GrantRanking.Candidate(id: application.idString, score: aggregate.mean, requestedTyiyn: application.requestedTyiyn, submittedOrder: index)
        }
        return GrantRanking.rank(candidates, budgetTyiyn: call.budgetTyiyn, minimumScore: Rational(call.minimumScore))
    }
}
