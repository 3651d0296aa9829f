import DemilgeCore
import Fluent
import Vapor

/// Every organisation, or those of one kind, in Kyrgyz alphabetical order.
struct OrganisationListPage: Encodable {
    struct KindOption: Encodable { let value: String; let label: String; let selected: Bool }
    let kinds: [KindOption]
    let organisations: [OrganisationLink]
    let canManage: Bool

    static func build(_ req: Request) async throws -> OrganisationListPage {
        let language = req.language
        let catalog = req.application.catalog
        let selected = (try? req.query.get(String.self, at: "kind")).flatMap(OrganisationKind.init(rawValue:))
        var query = Organisation.query(on: req.db)
        if let selected { query = query.filter(\.$kind == selected) }
        let organisations = try await query.all()
        return OrganisationListPage(
            kinds: OrganisationKind.allCases.map { .init(value: $0.rawValue, label: catalog.text($0.catalogKey, language), selected: $0 == selected) },
            organisations: OrganisationLink.sorted(organisations, language, catalog: catalog),
            canManage: req.can(.manageOrganisations))
    }
}
