import DemilgeCore
import Fluent
import Vapor

/// A programme as summarised in lists and at the top of its page.
struct ProgrammeSummary: Encodable {
    let link: ProgrammeLink
    let summary: DisplayText
    let donor: OrganisationLink?
    let implementer: OrganisationLink?
    let period: String?
    let duration: String?
    let budget: String?
    let granteeCount: Int

    init(_ programme: Programme, granteeCount: Int, _ language: Language, catalog: Catalog) {
        link = ProgrammeLink(programme, language)
        summary = programme.summary.display(language)
        donor = programme.donor.map { OrganisationLink($0, language, catalog: catalog) }
        implementer = programme.implementer.map { OrganisationLink($0, language, catalog: catalog) }
        if let start = programme.startMonth, let end = programme.endMonth {
            period = "\(start.formatted(language)) – \(end.formatted(language))"
            duration = catalog.text("programme.months", language, arguments: ["n": String(start.monthsInclusive(to: end))])
        } else {
            period = nil
            duration = nil
        }
        budget = programme.budget?.formatted(language)
        self.granteeCount = granteeCount
    }

    /// Every programme, in Kyrgyz alphabetical order of its name in the reader's language.
    static func all(on req: Request) async throws -> [ProgrammeSummary] {
        let programmes = try await Programme.query(on: req.db).with(\.$donor).with(\.$implementer).all()
        let counts = Dictionary(grouping: try await ProgrammeGrantee.query(on: req.db).all(), by: \.$programme.id).mapValues(\.count)
        let language = req.language
        return KyrgyzText.sorted(programmes, by: { $0.name.text(language) }, language)
            .map { ProgrammeSummary($0, granteeCount: $0.id.flatMap { counts[$0] } ?? 0, language, catalog: req.application.catalog) }
    }
}
