import DemilgeCore
import Fluent
import Vapor

/// A commission's page: members by affiliation, meetings and their decisions, the joint action plan per problem,
/// and the choices its forms need.
struct CommissionPage: Encodable {
    struct MeasureView: Encodable {
        let id: String, description: String, responsible: String, deadline: String, deadlineISO: String
        let amount: String, source: String, status: String, statusKey: String, progress: Int, overdue: Bool, version: Int
        let statuses: [Option]
    }

    struct PlanView: Encodable { let problemID: String; let problem: String; let measures: [MeasureView]; let total: String }

    struct Member: Encodable { let name: String; let affiliation: String; let position: String }
    struct Decision: Encodable { let problemID: String; let problem: String; let reason: String }
    struct Meeting: Encodable { let date: String; let present: Int; let minutes: String; let decisions: [Decision] }
    let id: String
    let name: String
    let territory: TerritoryLink
    /// The territory and those above it, country first: the page's breadcrumb.
    let trail: [TerritoryLink]
    let members: [Member]
    let meetings: [Meeting]
    let plans: [PlanView]
    let overdue: Int
    let canRecord: Bool
    let affiliations: [Option]
    let problems: [Option]
    let chosen: [Option]
    let sources: [Option]
    let form: FormState
    let formName: String

    static func build(_ req: Request, _ commission: Commission, form: FormState, formName: String) async throws -> CommissionPage {
        let target = try await CommissionController.target(commission, req)
        let directory = try await req.territoryDirectory()
        let subtree = directory.subtree(of: commission.$territory.id)
        let problems = try await Problem.query(on: req.db).filter(\.$territory.$id ~~ Array(subtree)).filter(\.$hidden == false)
            .filter(\.$mergedInto.$id == nil).sort(\.$supportCount, .descending).all()
        let decided = commission.meetings.flatMap(\.decisions).map(\.problem)
        let plans = measureViews(commission, req)
        return CommissionPage(
            id: commission.idString, name: commission.name,
            territory: TerritoryLink(commission.territory, req.language, catalog: req.application.catalog), trail: try await req.territoryTrail(commission.territory),
            members: commission.members.map { .init(name: $0.name, affiliation: req.t(CommissionAffiliation(rawValue: $0.affiliation)?.catalogKey ?? $0.affiliation), position: $0.position) },
            meetings: commission.meetings.sorted { $0.heldOn > $1.heldOn }.map { meeting in
                .init(date: meeting.heldOn.formatted(req.language), present: meeting.present, minutes: meeting.minutes,
                      decisions: meeting.decisions.map { .init(problemID: $0.problem.idString, problem: $0.problem.title, reason: $0.reason) })
            },
            plans: plans, overdue: plans.flatMap(\.measures).filter(\.overdue).count,
            canRecord: req.can(.recordCommission, on: target),
            affiliations: CommissionAffiliation.allCases.map { .init(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0.rawValue == form["affiliation"]) },
            problems: problems.map { .init(value: $0.idString, label: $0.title, selected: $0.idString == form["problem"]) },
            chosen: decided.map { .init(value: $0.idString, label: $0.title, selected: $0.idString == form["problem"]) },
            sources: FundingSource.allCases.map { .init(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0.rawValue == form["source"]) },
            form: form, formName: formName)
    }

    static func measureViews(_ commission: Commission, _ req: Request) -> [PlanView] {
        let today = Day.today()
        let byProblem = Dictionary(grouping: commission.measures, by: { $0.$problem.id })
        return byProblem.values.compactMap { measures -> PlanView? in
            guard let problem = measures.first?.problem else { return nil }
            let sorted = measures.sorted { $0.deadline < $1.deadline }
            let total = Money(minorUnits: Money.sum(sorted.map(\.plannedTyiyn)))
            return PlanView(problemID: problem.idString, problem: problem.title, measures: sorted.map { m in
                MeasureView(id: m.idString, description: m.description, responsible: m.responsible,
                            deadline: m.deadline.formatted(req.language), deadlineISO: m.deadline.description,
                            amount: Money(minorUnits: m.plannedTyiyn).formatted(req.language),
                            source: req.t(FundingSource(rawValue: m.source.rawValue)?.catalogKey ?? m.source.rawValue),
                            status: req.t(m.status.catalogKey), statusKey: m.status.rawValue, progress: m.progress,
                            overdue: ActionPlanRules.isOverdue(deadline: m.deadline, status: m.status, today: today), version: m.version,
                            statuses: MeasureStatus.allCases.map { .init(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0 == m.status) })
            }, total: total.formatted(req.language))
        }.sorted { $0.problem < $1.problem }
    }
}
