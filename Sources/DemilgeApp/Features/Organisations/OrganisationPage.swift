import DemilgeCore
import Fluent
import Vapor

/// An organisation's page: what it is, where, its roles in programmes and the projects it carries out.
struct OrganisationPage: Encodable {
    struct Role: Encodable { let label: String; let programmes: [ProgrammeLink] }
    struct Project: Encodable { let programme: ProgrammeLink; let title: DisplayText; let goal: DisplayText }
    let organisation: OrganisationLink
    let legalFormLong: String?
    let place: String?
    let territoryPath: [TerritoryLink]
    let website: String?
    let roles: [Role]
    let projects: [Project]
    let canManage: Bool

    static func build(_ req: Request, _ organisation: Organisation) async throws -> OrganisationPage {
        guard let id = organisation.id else { throw DemilgeError.notFound }
        let language = req.language
        let catalog = req.application.catalog
        async let directoryLoad = req.territoryDirectory()
        async let programmesLoad = Programme.query(on: req.db).all()
        async let partnersLoad = ProgrammePartner.query(on: req.db).filter(\.$organisation.$id == id).all()
        async let grantsLoad = ProgrammeGrantee.query(on: req.db).filter(\.$organisation.$id == id).with(\.$programme).all()
        let (directory, programmes, partners, grants) = try await (directoryLoad, programmesLoad, partnersLoad, grantsLoad)
        let partnerOf = Set(partners.map(\.$programme.id))

        func links(_ include: (Programme) -> Bool) -> [ProgrammeLink] {
            programmes.filter(include).map { ProgrammeLink($0, language) }
        }
        let roles: [Role] = [
            .init(label: catalog.text("organisation.role.donor", language), programmes: links { $0.$donor.id == id }),
            .init(label: catalog.text("organisation.role.implementer", language), programmes: links { $0.$implementer.id == id }),
            .init(label: catalog.text("organisation.role.partner", language), programmes: links { $0.id.map(partnerOf.contains) ?? false }),
        ].filter { !$0.programmes.isEmpty }

        return OrganisationPage(
            organisation: OrganisationLink(organisation, language, catalog: catalog),
            legalFormLong: organisation.legalForm.flatMap(LegalForm.init(rawValue:)).map { catalog.text($0.catalogKey, language) },
            place: organisation.place,
            territoryPath: organisation.territoryID.flatMap { directory.byID[$0] }.map { directory.path(to: $0).map { TerritoryLink($0, language, catalog: catalog) } } ?? [],
            website: organisation.website,
            roles: roles,
            projects: grants.map { .init(programme: ProgrammeLink($0.programme, language), title: $0.title.display(language), goal: $0.goal.display(language)) },
            canManage: req.can(.manageOrganisations))
    }
}
