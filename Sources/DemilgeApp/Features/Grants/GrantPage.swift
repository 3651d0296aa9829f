import DemilgeCore
import Fluent
import Vapor

/// Everything the application's page shows, to whom: the public timeline and money, the proposal to those
/// who may see it, scores to the commission (and to everyone once the call is decided), and each role's forms.
struct GrantPage: Encodable {
    struct Stage: Encodable { let number: Int; let label: String; let reached: Bool; let current: Bool; let detail: String }
    struct Step: Encodable { let at: String; let label: String; let reason: String; let by: String }
    struct Move: Encodable { let to: String; let label: String; let needsReason: Bool }
    struct Line: Encodable { let id: String; let item: String; let source: String; let amount: String; let spent: String; let spentValue: String }
    struct Activity: Encodable { let what: String; let from: String; let to: String }
    struct Criterion: Encodable { let key: String; let name: String; let weight: Int; let max: Int; let options: [String]; let mine: String; let mean: String; let comments: [String] }
    struct LedgerRow: Encodable { let source: String; let planned: String; let paid: String; let spent: String }
    struct TrancheRow: Encodable { let number: Int; let plannedOn: String; let amount: String; let paid: String; let condition: String }
    struct PaymentRow: Encodable { let paidOn: String; let source: String; let amount: String; let tranche: String; let reference: String }
    struct MilestoneRow: Encodable { let id: String; let title: String; let dueOn: String; let progress: Int; let note: String; let version: Int }
    struct VisitRow: Encodable { let visitedOn: String; let community: String; let council: String; let findings: String; let rating: Int; let photos: [String] }
    struct Contract: Encodable { let number: String; let signedOn: String; let period: String; let amount: String; let commitments: String }
    struct Report: Encodable { let submittedOn: String; let summary: String; let reached: [ParticipantGrid.Row]; let total: Int }

    let id: String, title: String, callID: String, callTitle: String, programme: String
    let organisation: String, organisationSlug: String, territory: TerritoryLink
    let problem: String, problemID: String, hasProblem: Bool, measure: String, hasMeasure: Bool
    let status: String, statusKey: String, statusReason: String, hasStatusReason: Bool, version: Int
    let requested: String, total: String, coFundingShare: String
    let stages: [Stage], timeline: [Step]
    let notice: String, hasNotice: Bool
    let seesProposal: Bool
    let summary: String, goals: String, activities: [Activity], lines: [Line]
    let beneficiaries: [ParticipantGrid.Row], beneficiariesTotal: Int
    let canEdit: Bool, hasIATI: Bool
    let moves: [Move], hasMoves: Bool
    // Review
    let isReviewer: Bool, conflicted: Bool, mustDeclare: Bool, canScore: Bool, hasScored: Bool
    /// A reviewer declares a conflict with this application, or withdraws their declaration, until they score it.
    let canDeclareConflict: Bool, canWithdrawConflict: Bool, declaredReason: String
    let criteria: [Criterion]
    let scoredBy: Int, reviewerCount: Int, revealed: Bool, showScores: Bool, showComments: Bool
    let mean: String, spread: String, myScore: String
    // Contract and money
    let contract: Contract?, hasContract: Bool, canContract: Bool
    let tranches: [TrancheRow], ledger: [LedgerRow], ledgerTotal: LedgerRow, leverage: String, hasLedger: Bool
    let payments: [PaymentRow], hasPayments: Bool, canPay: Bool
    let sources: [Option], trancheNumbers: [Int]
    // Implementation
    let milestones: [MilestoneRow], hasMilestones: Bool, canMilestone: Bool
    let visits: [VisitRow], hasVisits: Bool, canVisit: Bool
    let report: Report?, hasReport: Bool, canReport: Bool, reportGrid: [ParticipantGrid.Row]
    let form: FormState, formName: String, formErrors: [String], hasFormErrors: Bool

    /// Whether the viewer is shown any form (and so needs a CSRF token); a visitor is shown none, so the page can be
    /// kept for visitors.
    var hasForms: Bool {
        hasMoves || canScore || canDeclareConflict || canWithdrawConflict || canContract || canPay || canMilestone
            || canVisit || canReport
    }

    /// The follow button, for a signed-in reader.
    var follow: FollowButton? = nil

    static func build(_ req: Request, _ application: GrantApplication, viewer: GrantViewer, form: FormState, formName: String,
                      notice: String?) async throws -> GrantPage {
        let call = application.call
        let db = req.db
        let appID = (try application.requireID())
        let status = application.status
        let board = try await CallBoard.load(call, only: application, on: db)
        let sheets = board.countedSheets(of: application)
        let conflicted = board.conflicted(application)
        let revealed = board.revealed(application)
        let aggregate = board.aggregate(application)
        let commission = viewer.isManager || (viewer.reviewer != nil && viewer.conflict(with: application) == nil)
        let showScores = revealed && viewer.seesScores(of: application, call: call)
        let mySheet = viewer.reviewer.flatMap { r in board.sheets(of: application).first { $0.$reviewer.id == r.id } }
        let sees = viewer.seesProposal(application, call: call)
        let lines = application.lines.sorted { $0.position < $1.position }

        let transitions = try await GrantTransition.query(on: db).filter(\.$application.$id == appID).sort(\.$at).all()
        let contract = try await GrantContract.query(on: db).filter(\.$application.$id == appID).with(\.$tranches).first()
        let payments = try await GrantPayment.query(on: db).filter(\.$application.$id == appID).with(\.$tranche).sort(\.$paidOn).all()
        let milestones = try await GrantMilestone.query(on: db).filter(\.$application.$id == appID).sort(\.$dueOn).all()
        let visits = try await GrantVisit.query(on: db).filter(\.$application.$id == appID).sort(\.$visitedOn).all()
        let report = try await GrantReport.query(on: db).filter(\.$application.$id == appID).first()

        let stages = try await stageFacts(req, application, contract: contract, visits: visits.count, report: report != nil)
        let parties = viewer.parties(for: application)
        let moves = GrantLifecycle.steps(from: status).filter { step in
            !step.by.isDisjoint(with: parties) && (![.approved, .contracted].contains(step.to) || status == .reserve)
        }
        let conflictDeclaration = viewer.reviewer.flatMap { r in board.conflicts.first { $0.$reviewer.id == r.id && $0.$application.id == appID } }
        let conflictOpen = viewer.reviewer != nil && mySheet == nil && GrantReviewController.reviewable.contains(status) && status != .scored
        let budget = ApplicationBudget(requestedTyiyn: application.requestedTyiyn, totalTyiyn: application.totalTyiyn, lines: lines.map(\.core))
        let tranches = (contract?.tranches ?? []).sorted { $0.number < $1.number }
        let paidByTranche = Dictionary(grouping: payments.compactMap { p in p.$tranche.id.map { ($0, p.amountTyiyn) } }, by: \.0).mapValues { Money.sum($0.map(\.1)) }
        let ledger = GrantLedgerLoader.ledger(of: application, contract: contract, payments: payments)
        let money = { (tyiyn: Int64) in GrantDisplay.money(tyiyn, req) }
        let ledgerRow = { (row: GrantLedger.Row, label: String) in LedgerRow(source: label, planned: money(row.planned), paid: money(row.paid), spent: money(row.spent)) }
        let delivering: Set<GrantStatus> = [.contracted, .inImplementation]
        let mayMonitor = req.can(.recordMonitoringVisit, on: Target(territoryPath: try await TerritoryPath.ids(from: application.$territory.id, req),
                                                                   programmeID: call.$programme.id))
        let reportGrid = ParticipantGrid.rows(formName == "report" ? form : FormState(), req)

        return GrantPage(
            id: application.idString, title: application.title, callID: call.idString, callTitle: call.title,
            programme: call.programme.name.text(req.language),
            organisation: application.organisation.name.text(req.language), organisationSlug: application.organisation.slug,
            territory: TerritoryLink(application.territory, req.language, catalog: req.application.catalog),
            problem: application.problem?.title ?? "", problemID: application.$problem.id.map { $0.uuidString.lowercased() } ?? "",
            hasProblem: application.$problem.id != nil,
            measure: application.measure?.description ?? "", hasMeasure: application.$measure.id != nil,
            status: req.t(status.catalogKey), statusKey: application.status.rawValue, statusReason: application.statusReason ?? "",
            hasStatusReason: !(application.statusReason ?? "").isEmpty, version: application.version,
            requested: money(application.requestedTyiyn), total: money(application.totalTyiyn),
            coFundingShare: Formatters.decimal((budget.coFundingShare * Rational(100)).decimal(digits: 1), fractionDigits: 1, req.language),
            stages: stages,
            timeline: transitions.map { t in
                Step(at: Formatters.date(t.at, req.language), label: req.t(t.to.catalogKey), reason: t.reason ?? "", by: t.byName)
            },
            notice: notice.map { req.t($0) } ?? "", hasNotice: notice != nil,
            seesProposal: sees, summary: sees ? application.summary : "", goals: sees ? application.goals : "",
            activities: sees ? application.activities.map { Activity(what: $0.what, from: $0.from, to: $0.to) } : [],
            lines: sees ? lines.map { line in
                Line(id: line.idString, item: line.item, source: req.t(line.core.source.catalogKey), amount: money(line.amountTyiyn),
                     spent: line.spentTyiyn.map(money) ?? "", spentValue: formName == "report" ? form["spent_\(line.idString)"] : "")
            } : [],
            beneficiaries: sees ? ParticipantGrid.rows(application.beneficiaries, req) : [], beneficiariesTotal: application.beneficiaries.total,
            canEdit: viewer.isApplicant(application) && status == .draft, hasIATI: GrantDisplay.awarded.contains(status),
            moves: moves.map { Move(to: $0.to.rawValue, label: req.t("grants.move.\($0.to.rawValue)"), needsReason: $0.needsReason) },
            hasMoves: !moves.isEmpty,
            isReviewer: viewer.reviewer != nil, conflicted: viewer.reviewer != nil && viewer.conflict(with: application) != nil,
            mustDeclare: viewer.reviewer != nil && viewer.reviewer?.declaredAt == nil,
            canScore: viewer.mayReview(application) && status == .underReview && mySheet == nil && call.status == .review,
            hasScored: mySheet != nil,
            canDeclareConflict: conflictOpen && conflictDeclaration == nil && viewer.conflict(with: application) == nil,
            canWithdrawConflict: conflictOpen && conflictDeclaration != nil,
            declaredReason: conflictDeclaration?.reason ?? "",
            criteria: call.criteria.map { criterion in
                let scores = sheets.compactMap { $0.scores[criterion.key] }
                let mean = scores.isEmpty ? "" : Formatters.decimal((Rational(scores.saturatingSum()) / Rational(scores.count)).decimal(digits: 1), fractionDigits: 1, req.language)
                return Criterion(key: criterion.key, name: criterion.name, weight: criterion.weight, max: criterion.max, options: (0...criterion.max).map(String.init),
                                 mine: mySheet?.scores[criterion.key].map(String.init) ?? (formName == "score" ? form["score_\(criterion.key)"] : ""),
                                 mean: showScores ? mean : "",
                                 comments: showScores && commission ? sheets.compactMap { $0.comments[criterion.key] }.filter { !$0.isEmpty } : [])
            },
            scoredBy: sheets.count, reviewerCount: board.reviewers.count - conflicted.count, revealed: revealed, showScores: showScores,
            showComments: showScores && commission,
            mean: showScores ? aggregate.map { GrantDisplay.score($0.mean, req) } ?? "" : "",
            spread: showScores ? aggregate.map { GrantDisplay.score($0.spread, req) } ?? "" : "",
            myScore: mySheet.flatMap { GrantDisplay.weighted($0, call) }.map { GrantDisplay.score($0, req) } ?? "",
            contract: contract.map { c in
                Contract(number: c.number, signedOn: c.signedOn.formatted(req.language),
                         period: "\(c.startsOn.formatted(req.language)) — \(c.endsOn.formatted(req.language))", amount: money(c.amountTyiyn),
                         commitments: [(FundingSource.localBudget, c.localBudgetTyiyn), (.community, c.communityTyiyn), (.other, c.otherTyiyn)]
                            .filter { $0.1 > 0 }.map { "\(req.t($0.0.catalogKey)): \(money($0.1))" }.joined(separator: "; "))
            },
            hasContract: contract != nil, canContract: viewer.isManager && status == .approved && contract == nil,
            tranches: tranches.map { t in
                TrancheRow(number: t.number, plannedOn: t.plannedOn.formatted(req.language), amount: money(t.amountTyiyn),
                           paid: money(t.id.flatMap { paidByTranche[$0] } ?? 0), condition: t.condition)
            },
            ledger: ledger.rows.map { ledgerRow($0, req.t($0.source.catalogKey)) }, ledgerTotal: ledgerRow(ledger.total, req.t("grants.total")),
            leverage: ledger.leverage.map { Formatters.decimal($0.decimal(digits: 2), fractionDigits: 2, req.language) } ?? "—",
            hasLedger: !ledger.rows.isEmpty && (sees || contract != nil),
            payments: payments.map { p in
                PaymentRow(paidOn: p.paidOn.formatted(req.language), source: req.t(p.source.catalogKey),
                           amount: money(p.amountTyiyn), tranche: p.tranche.map { String($0.number) } ?? "—", reference: p.reference)
            },
            hasPayments: !payments.isEmpty, canPay: viewer.isManager && delivering.contains(status),
            sources: FundingSource.grantFirst.filter(\.isCoFunding).map { Option(value: $0.rawValue, label: req.t($0.catalogKey), selected: form["source"] == $0.rawValue) },
            trancheNumbers: tranches.map(\.number),
            milestones: milestones.map { MilestoneRow(id: $0.idString, title: $0.title, dueOn: $0.dueOn.formatted(req.language), progress: $0.progress, note: $0.note, version: $0.version) },
            hasMilestones: !milestones.isEmpty, canMilestone: (viewer.isManager || viewer.isApplicant(application)) && delivering.contains(status),
            visits: visits.map { VisitRow(visitedOn: $0.visitedOn.formatted(req.language), community: $0.communityMembers, council: $0.councilMembers,
                                          findings: $0.findings, rating: $0.rating, photos: $0.photos) },
            hasVisits: !visits.isEmpty, canVisit: mayMonitor && [.contracted, .inImplementation, .completed].contains(status),
            report: report.map { r in
                Report(submittedOn: r.submittedOn.formatted(req.language), summary: r.summary, reached: ParticipantGrid.rows(r.reached, req), total: r.reached.total)
            },
            hasReport: report != nil, canReport: viewer.isApplicant(application) && status == .inImplementation && report == nil,
            reportGrid: reportGrid,
            form: form, formName: formName, formErrors: form.errors.sorted { $0.key < $1.key }.map(\.value), hasFormErrors: !form.errors.isEmpty)
    }

    /// Seed 000's six stages, each with what happened in it: the problem behind the grant, its priority, the commission's
    /// choice, then the proposal, the contract and the monitoring.
    static func stageFacts(_ req: Request, _ application: GrantApplication, contract: GrantContract?, visits: Int, report: Bool) async throws -> [Stage] {
        let current = GrantLifecycle.stage(of: application.status)
        let problem = application.problem
        let decision = try await problem.asyncFlatMap { p in
            try await CommissionDecision.query(on: req.db).filter(\.$problem.$id == (try p.requireID())).with(\.$meeting).first()
        }
        let rankings = try await problem.asyncMap { p in
            try await FocusGroupRanking.query(on: req.db).filter(\.$problem.$id == (try p.requireID())).with(\.$group) { $0.with(\.$session) }.all()
        } ?? []
        return GrantLifecycle.Stage.allCases.map { stage in
            var reached = stage.rawValue <= current.rawValue
            var detail = ""
            switch stage {
            case .problemsProposed:
                reached = problem != nil
                if let problem {
                    detail = req.t("grants.stage_raised", ["date": problem.createdAt.map { Formatters.date($0, req.language) } ?? "", "count": String(problem.supportCount)])
                }
            case .prioritiesSet:
                reached = !rankings.isEmpty
                if let session = rankings.map(\.group.session).min(by: { $0.heldOn < $1.heldOn }) {
                    detail = req.t("grants.stage_prioritised", ["groups": String(rankings.count), "date": session.heldOn.formatted(req.language)])
                }
            case .mainProblemChosen:
                reached = decision != nil
                if let decision { detail = req.t("grants.stage_chosen", ["date": decision.meeting.heldOn.formatted(req.language)]) }
            case .proposal:
                if let submitted = application.submittedAt { detail = req.t("grants.stage_submitted", ["date": Formatters.date(submitted, req.language)]) }
            case .contract:
                if let contract { detail = req.t("grants.stage_contract", ["number": contract.number, "date": contract.signedOn.formatted(req.language)]) }
            case .monitoring:
                if visits > 0 || report { detail = req.t(report ? "grants.stage_monitoring_report" : "grants.stage_monitoring", ["visits": String(visits)]) }
            }
            return Stage(number: stage.rawValue, label: req.t(stage.catalogKey), reached: reached, current: stage == current, detail: detail)
        }
    }
}
