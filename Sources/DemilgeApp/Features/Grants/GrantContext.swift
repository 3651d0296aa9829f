import DemilgeCore
import Fluent
import SQLKit
import Vapor

/// Who the signed-in user is to a call and its applications: its programme's manager, one of its
/// reviewers, a member of applicant organisations.
struct GrantViewer {
    let userID: UUID?
    let isManager: Bool
    let reviewer: GrantReviewer?
    let organisations: Set<UUID>
    /// Territories of the user's organisations: an application from one of them is their own municipality's.
    let organisationTerritories: Set<UUID>
    let declaredConflicts: Set<UUID>

    static func load(_ req: Request, call: GrantCall) async throws -> GrantViewer {
        let isManager = req.can(.manageGrants, on: Target(programmeID: call.$programme.id))
        guard let userID = req.actor.userID else {
            return GrantViewer(userID: nil, isManager: false, reviewer: nil, organisations: [], organisationTerritories: [], declaredConflicts: [])
        }
        let memberships = try await OrganisationMember.query(on: req.db).filter(\.$user.$id == userID).with(\.$organisation).all()
        let reviewer = try await GrantReviewer.query(on: req.db).filter(\.$call.$id == (try call.requireID())).filter(\.$user.$id == userID).first()
        let declared = try await reviewer.asyncMap { r in
            try await GrantConflict.query(on: req.db).filter(\.$reviewer.$id == (try r.requireID())).filter(\.$withdrawnAt == nil).all().map { $0.$application.id }
        } ?? []
        return GrantViewer(userID: userID, isManager: isManager, reviewer: reviewer,
                           organisations: Set(memberships.map { $0.$organisation.id }),
                           organisationTerritories: Set(memberships.compactMap { $0.organisation.territoryID }),
                           declaredConflicts: Set(declared))
    }

    func isApplicant(_ application: GrantApplication) -> Bool { organisations.contains(application.$organisation.id) }

    func conflict(with application: GrantApplication) -> ReviewAccess.Conflict? {
        guard reviewer != nil else { return nil }
        return ReviewAccess.conflict(reviewerOrganisations: organisations, reviewerOrganisationTerritories: organisationTerritories,
                                     declared: application.id.map(declaredConflicts.contains) ?? false, applicant: application.$organisation.id,
                                     territoryPath: [application.$territory.id])
    }

    /// A reviewer without a conflict who has declared their conflicts for the call.
    func mayReview(_ application: GrantApplication) -> Bool {
        reviewer?.declaredAt != nil && conflict(with: application) == nil
    }

    /// The whole proposal (budget, activities, reviews) is open to its applicant, the manager and unconflicted reviewers
    /// while it is judged, and to everybody once it is awarded; before that the public sees who applied for what.
    func seesProposal(_ application: GrantApplication, call: GrantCall) -> Bool {
        if isManager || isApplicant(application) { return true }
        if reviewer != nil { return conflict(with: application) == nil }
        return call.status == .decided || GrantDisplay.awarded.contains(application.status)
    }

    /// The parties this user acts as on a form. Never `.review` or `.decision`: those moves are the server's own.
    func parties(for application: GrantApplication) -> Set<GrantParty> {
        var parties: Set<GrantParty> = []
        if isApplicant(application) { parties.insert(.applicant) }
        if isManager { parties.insert(.programmeManager) }
        return parties
    }

    /// Whether this user may see the application's scores and place in the ranking: its programme's manager, a
    /// reviewer without a conflict with it, and everybody once the call is decided.
    func seesScores(of application: GrantApplication, call: GrantCall) -> Bool {
        if call.status == .decided || isManager { return true }
        return reviewer != nil && conflict(with: application) == nil
    }

    /// The ranking before the decision: the manager, and reviewers with no conflict anywhere in the call (the
    /// money left after each line would otherwise tell a conflicted reviewer where "their" application stands).
    func seesRanking(of board: CallBoard) -> Bool {
        if board.call.status == .decided || isManager { return true }
        guard reviewer != nil else { return false }
        return board.applications.allSatisfy { conflict(with: $0) == nil }
    }
}

enum GrantDisplay {
    static let awarded: Set<GrantStatus> = [.approved, .contracted, .inImplementation, .completed, .terminated, .closed]

    static func money(_ tyiyn: Int64, _ req: Request) -> String { Money(minorUnits: tyiyn).formatted(req.language) }


    static func loadCall(_ req: Request) async throws -> GrantCall {
        guard let id = req.parameters.get("call").flatMap(UUID.init(uuidString:)),
              let call = try await GrantCall.query(on: req.db).filter(\.$id == id).with(\.$programme).first() else { throw DemilgeError.notFound }
        return call
    }

    static func loadApplication(_ req: Request) async throws -> GrantApplication {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
              let application = try await GrantApplication.query(on: req.db).filter(\.$id == id)
                .with(\.$call) { $0.with(\.$programme) }.with(\.$organisation).with(\.$territory).with(\.$problem).with(\.$measure).with(\.$lines).first()
        else { throw DemilgeError.notFound }
        return application
    }

    /// "Line 3: the amount is not a positive sum in som." for each bad line of a line-per-entry list.
    static func lineErrors(_ errors: GrantLines.LineErrors, _ req: Request) -> [String] {
        errors.lines.map { req.t("grants.line_error", ["line": String($0.line), "problem": req.t($0.catalogKey)]) }
    }

    /// A reviewer's weighted score of one sheet, exact.
    static func weighted(_ sheet: GrantScoreSheet, _ call: GrantCall) -> Rational? {
        try? GrantReview.weighted(sheet.scores, criteria: call.criteria.map(\.core)).get()
    }

    /// Scores out of 100 are shown with one decimal; the exact value decides.
    static func score(_ value: Rational, _ req: Request) -> String {
        Formatters.decimal(value.decimal(digits: 1), fractionDigits: 1, req.language)
    }
}

/// Moves an application along its lifecycle: checked by `GrantLifecycle`, audited, and kept as its public timeline.
enum GrantMove {
    static func apply(_ application: GrantApplication, to status: GrantStatus, reason: String?, as party: GrantParty,
                      by req: Request, on db: any Database) async throws {
        let from = application.status
        let id = try application.requireID()
        // The forms check the move first; a refusal here means someone moved the application meanwhile (409, nothing saved).
        if GrantLifecycle.check(from: from, to: status, by: party, reason: reason ?? "") != nil { throw DemilgeError.staleEdit }
        // The move happens only from the status it was checked against, whatever this request read before.
        guard let sql = db as? any SQLDatabase,
              try await sql.update(GrantApplication.schema).set("status", to: status.rawValue)
                .where("id", .equal, id).where("status", .equal, from.rawValue).returning("id").all().count == 1
        else { throw DemilgeError.staleEdit }
        application.status = status
        application.statusReason = reason?.isEmpty == false ? reason : nil
        if status == .submitted { application.submittedAt = Date() }
        try await application.update(on: db)
        try await GrantTransition(applicationID: id, from: from, to: status, reason: reason?.isEmpty == true ? nil : reason,
                                  byName: req.currentUser?.displayName ?? "Demilge").create(on: db)
        try await Notifier.tell(.init(kind: party == .decision ? .decision : .status, subject: .application, subjectID: id,
                                      title: application.title, detail: "grant.status.\(status.rawValue)", actor: req.currentUser?.id),
                                .followers(of: .application, id), on: db)
        try await AuditLog.record(on: db, by: req.auditActor, action: "grant.\(status.rawValue)", entityType: "grant_application",
                                  entityID: application.idString, after: ["from": from.rawValue, "to": status.rawValue, "reason": reason ?? ""])
    }
}

/// The money a call has committed: the requests of its awarded applications. Read inside the writing transaction
/// after `RowLock` on the call, so two awards in one call see each other and cannot together pass the budget.
enum CallBudget {
    struct OverBudget: Error { let leftTyiyn: Int64 }

    static func awardedTyiyn(callID: UUID, on db: any Database) async throws -> Int64 {
        let awarded = try await GrantApplication.query(on: db).filter(\.$call.$id == callID)
            .filter(\.$status ~~ GrantDisplay.awarded).all()
        return Money.sum(awarded.map(\.requestedTyiyn))
    }

    /// Locks the call and refuses (throws, so the transaction rolls back) when `adding` would pass its budget.
    static func reserve(_ addingTyiyn: Int64, in call: GrantCall, on db: any Database) async throws {
        let callID = try call.requireID()
        try await RowLock.lock(GrantCall.schema, id: callID, on: db)
        let left = call.budgetTyiyn.saturatingSubtracting(try await awardedTyiyn(callID: callID, on: db))
        if addingTyiyn > left { throw OverBudget(leftTyiyn: left) }
    }

    /// After a decision: the awards together fit the budget, or the whole decision is undone.
    static func check(_ call: GrantCall, on db: any Database) async throws {
        let awarded = try await awardedTyiyn(callID: try call.requireID(), on: db)
        if awarded > call.budgetTyiyn { throw OverBudget(leftTyiyn: call.budgetTyiyn.saturatingSubtracting(awarded)) }
    }
}

extension GrantApplication {
    /// Loads the budget lines of many applications with one query, grouped in one pass. (Fluent's `with(\.$lines)`
    /// matches every line against every application: for a country's 11,000 awarded grants, two minutes.)
    static func loadLines(of applications: [GrantApplication], on db: any Database) async throws {
        let ids = applications.compactMap(\.id)
        let lines = ids.isEmpty ? [] : try await GrantBudgetLine.query(on: db).filter(\.$application.$id ~~ ids).all()
        let byApplication = Dictionary(grouping: lines, by: \.$application.id)
        for application in applications { application.$lines.value = application.id.flatMap { byApplication[$0] } ?? [] }
    }
}

/// A grant's money by source: planned (the agreement's commitments, or the proposal's budget before it), paid in,
/// and spent according to the final report.
enum GrantLedgerLoader {
    static func ledger(of application: GrantApplication, contract: GrantContract?, payments: [GrantPayment]) -> GrantLedger {
        let paid = Dictionary(grouping: payments, by: { $0.source }).mapValues { Money.sum($0.map(\.amountTyiyn)) }
        var spent: [FundingSource: Int64] = [:]
        for line in application.lines { if let amount = line.spentTyiyn { spent[line.core.source, default: 0] += amount } }
        return GrantLedger(planned: contract?.commitments ?? BudgetLine.bySource(application.lines.map(\.core)), paid: paid, spent: spent)
    }

    /// The contracts and payments of several grants, by application: two queries for all of them, not two per grant.
    struct Records {
        let contracts: [UUID: GrantContract]
        let payments: [UUID: [GrantPayment]]

        static func load(_ ids: [UUID], on db: any Database) async throws -> Records {
            guard !ids.isEmpty else { return Records(contracts: [:], payments: [:]) }
            return Records(
                contracts: Dictionary(firstValues: try await GrantContract.query(on: db).filter(\.$application.$id ~~ ids).all().map { ($0.$application.id, $0) }),
                payments: Dictionary(grouping: try await GrantPayment.query(on: db).filter(\.$application.$id ~~ ids).all(), by: \.$application.id))
        }

        func ledger(of application: GrantApplication) -> GrantLedger {
            GrantLedgerLoader.ledger(of: application, contract: application.id.flatMap { contracts[$0] }, payments: application.id.flatMap { payments[$0] } ?? [])
        }
    }

    /// The money of several grants added up by source.
    static func total(of applications: [GrantApplication], on db: any Database) async throws -> GrantLedger {
        let records = try await Records.load(applications.compactMap(\.id), on: db)
        return GrantLedger.sum(applications.map(records.ledger(of:)))
    }

    static func ledger(of application: GrantApplication, on db: any Database) async throws -> GrantLedger {
        let contract = try await GrantContract.query(on: db).filter(\.$application.$id == (try application.requireID())).first()
        let payments = try await GrantPayment.query(on: db).filter(\.$application.$id == (try application.requireID())).all()
        return ledger(of: application, contract: contract, payments: payments)
    }
}
