import DemilgeCore
import Fluent
import Vapor

/// The application form: the applicant's organisations, the problems and action-plan measures near them, the
/// beneficiaries grid, the call's terms, and why the last attempt could not be submitted.
struct ApplicationFormPage: Encodable {
    let call: String, callID: String, action: String
    let form: FormState
    let organisations: [Option], problems: [Option], measures: [Option], hasMeasures: Bool
    let beneficiaries: [ParticipantGrid.Row], bands: [String]
    let refusals: [String], hasRefusals: Bool
    let sources: String
    let terms: String

    static func build(_ req: Request, _ call: GrantCall, _ form: FormState, action: String, problems: [String]) async throws -> ApplicationFormPage {
        guard let userID = req.actor.userID else { throw DemilgeError.signInRequired }
        let memberships = try await OrganisationMember.query(on: req.db).filter(\.$user.$id == userID).with(\.$organisation).all()
        let territories = Set(memberships.compactMap { $0.organisation.territoryID })
        let directory = try await req.territoryDirectory()
        let near = territories.flatMap { directory.subtree(of: $0) }
        let openProblems = near.isEmpty ? [] : try await Problem.query(on: req.db).filter(\.$territory.$id ~~ near).filter(\.$hidden == false)
            .filter(\.$mergedInto.$id == nil).sort(\.$supportCount, .descending).all()
        let commissions = near.isEmpty ? [] : try await Commission.query(on: req.db).filter(\.$territory.$id ~~ near).all().compactMap(\.id)
        let measures = commissions.isEmpty ? [] : try await ActionMeasure.query(on: req.db).filter(\.$commission.$id ~~ commissions).with(\.$problem).all()
        return ApplicationFormPage(
            call: call.title, callID: call.idString, action: action, form: form,
            organisations: memberships.map { Option(value: $0.organisation.slug, label: $0.organisation.name.text(req.language), selected: $0.organisation.slug == form["organisation"]) },
            problems: openProblems.map { Option(value: $0.idString, label: $0.title, selected: $0.idString == form["problem"]) },
            measures: measures.map { Option(value: $0.idString, label: "\($0.problem.title) — \($0.description)", selected: $0.idString == form["measure"]) },
            hasMeasures: !measures.isEmpty,
            beneficiaries: ParticipantGrid.rows(form, req), bands: AgeBand.allCases.map { req.t($0.catalogKey) },
            refusals: problems, hasRefusals: !problems.isEmpty,
            sources: FundingSource.grantFirst.map { req.t($0.catalogKey) }.joined(separator: "; "),
            terms: req.t("grants.terms_line", ["min": GrantDisplay.money(call.minGrantTyiyn, req), "max": GrantDisplay.money(call.maxGrantTyiyn, req),
                                               "share": String(call.coFundingPercent), "deadline": call.deadline.formatted(req.language)]))
    }
}
