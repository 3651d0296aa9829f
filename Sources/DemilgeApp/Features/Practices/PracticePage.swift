import DemilgeCore
import Fluent
import Vapor

/// A practice's page: what was done and what worked, its costs by source, whom to ask, and other practices on the
/// same theme.
struct PracticePage: Encodable {
    struct Cost: Encodable { let source: String, amount: String }

    let title: String, theme: String, territory: TerritoryLink, organisation: String, organisationSlug: String
    let grantID: String, hasGrant: Bool, whatWasDone: String, whatWorked: String, contact: String, publishedOn: String
    let costs: [Cost], total: String, others: [PracticeListPage.Row], hasOthers: Bool

    /// The practice with its territory and organisation loaded.
    static func build(_ req: Request, _ practice: Practice) async throws -> PracticePage {
        let others = try await Practice.query(on: req.db).filter(\.$theme == practice.theme).filter(\.$id != (try practice.requireID())).with(\.$territory).all()
        return PracticePage(
            title: practice.title, theme: req.t(practice.theme.catalogKey),
            territory: TerritoryLink(practice.territory, req.language, catalog: req.application.catalog),
            organisation: practice.organisation?.name.text(req.language) ?? "", organisationSlug: practice.organisation?.slug ?? "",
            grantID: practice.$grant.id.map { $0.uuidString.lowercased() } ?? "", hasGrant: practice.$grant.id != nil,
            whatWasDone: practice.whatWasDone, whatWorked: practice.whatWorked, contact: practice.contact, publishedOn: practice.publishedOn.formatted(req.language),
            costs: practice.costs.filter { $0.1 > 0 }.map { Cost(source: req.t($0.0.catalogKey), amount: GrantDisplay.money($0.1, req)) },
            total: GrantDisplay.money(PracticeListPage.total(practice), req),
            others: others.map { .init(id: $0.idString, title: $0.title, theme: "", place: $0.territory.name.text(req.language), oblast: "", cost: "") },
            hasOthers: !others.isEmpty)
    }
}
