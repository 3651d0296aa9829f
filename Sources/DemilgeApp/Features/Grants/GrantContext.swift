import DemilgeCore
import Fluent
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
        let reviewer = try await GrantReviewer.query(on: req.db).filter(\.$call.$id == call.id!).filter(\.$user.$id == userID).first()
        let declared = try await reviewer.asyncMap { r in
            try await GrantConflict.query(on: req.db).filter(\.$reviewer.$id == r.id!).all().map { $0.$application.id }
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
                                     declared: declaredConflicts.contains(application.id!), applicant: application.$organisation.id,
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
        return call.callStatus == .decided || GrantDisplay.awarded.contains(application.grantStatus)
    }

    func parties(for application: GrantApplication) -> Set<GrantParty> {
        var parties: Set<GrantParty> = []
        if isApplicant(application) { parties.insert(.applicant) }
        if isManager { parties.insert(.programmeManager) }
        if mayReview(application) { parties.insert(.commission) }
        return parties
    }
}

enum GrantDisplay {
    static let awarded: Set<GrantStatus> = [.approved, .contracted, .inImplementation, .completed, .terminated, .closed]

    static func id(_ model: some Model) -> String { (model.id as? UUID)?.uuidString.lowercased() ?? "" }
    static func callPath(_ call: GrantCall) -> String { "/grants/\(id(call))" }
    static func applicationPath(_ application: GrantApplication) -> String { "/applications/\(id(application))" }

    static func money(_ tyiyn: Int64, _ req: Request) -> String { Money(minorUnits: tyiyn).formatted(req.language) }

    static func day(_ isoDay: String, _ req: Request) -> String { AssessmentController.displayDate(isoDay, req.language) }

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
        let from = application.grantStatus
        // The forms check the move first; a refusal here means someone moved the application meanwhile (409, nothing saved).
        if GrantLifecycle.check(from: from, to: status, by: party, reason: reason ?? "") != nil { throw DemilgeError.staleEdit }
        application.status = status.rawValue
        application.statusReason = reason?.isEmpty == false ? reason : nil
        if status == .submitted { application.submittedAt = Date() }
        try await application.update(on: db)
        try await GrantTransition(applicationID: application.id!, from: from, to: status, reason: reason?.isEmpty == true ? nil : reason,
                                  byName: req.currentUser?.displayName ?? "Demilge").create(on: db)
        try await AuditLog.record(on: db, by: req.auditActor, action: "grant.\(status.rawValue)", entityType: "grant_application",
                                  entityID: GrantDisplay.id(application), after: ["from": from.rawValue, "to": status.rawValue, "reason": reason ?? ""])
    }
}

/// A grant's money by source: planned (the agreement's commitments, or the proposal's budget before it), paid in,
/// and spent according to the final report.
enum GrantLedgerLoader {
    static func ledger(of application: GrantApplication, contract: GrantContract?, payments: [GrantPayment]) -> GrantLedger {
        let paid = Dictionary(grouping: payments, by: { FundingSource(rawValue: $0.source) ?? .other }).mapValues { $0.reduce(Int64(0)) { $0 + $1.amountTyiyn } }
        var spent: [FundingSource: Int64] = [:]
        for line in application.lines { if let amount = line.spentTyiyn { spent[line.core.source, default: 0] += amount } }
        return GrantLedger(planned: contract?.commitments ?? BudgetLine.bySource(application.lines.map(\.core)), paid: paid, spent: spent)
    }

    /// The money of several grants added up by source.
    static func total(of applications: [GrantApplication], on db: any Database) async throws -> GrantLedger {
        var ledgers: [GrantLedger] = []
        for application in applications { ledgers.append(try await ledger(of: application, on: db)) }
        return GrantLedger.sum(ledgers)
    }

    static func ledger(of application: GrantApplication, on db: any Database) async throws -> GrantLedger {
        let contract = try await GrantContract.query(on: db).filter(\.$application.$id == application.id!).first()
        let payments = try await GrantPayment.query(on: db).filter(\.$application.$id == application.id!).all()
        return ledger(of: application, contract: contract, payments: payments)
    }
}
