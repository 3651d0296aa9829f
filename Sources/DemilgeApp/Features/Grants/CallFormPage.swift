import DemilgeCore
import Fluent
import Vapor

/// The form for a new call, or for a draft call's terms.
struct CallFormPage: Encodable {
    let form: FormState
    let programmes: [Option]
    let places: [PlaceGroup]
    let kinds: [Option]
    let criteriaErrors: [String]
    let hasCriteriaErrors: Bool
    let action: String
    let isEdit: Bool

    static func build(_ req: Request, _ form: FormState, kinds: Set<String>, criteriaErrors: [String], action: String) async throws -> CallFormPage {
        let programmes = try await Programme.query(on: req.db).all().filter { req.can(.manageGrants, on: Target(programmeID: $0.id)) }
        return CallFormPage(
            form: form,
            programmes: programmes.map { Option(value: $0.slug, label: $0.name.text(req.language), selected: $0.slug == form["programme"]) },
            places: try await PlaceGroup.choices(req, selected: Set(form["territories"].split(separator: ",").map(String.init)), includeTopLevel: true),
            kinds: ApplicantKind.allCases.map { Option(value: $0.rawValue, label: req.t($0.catalogKey), selected: kinds.contains($0.rawValue)) },
            criteriaErrors: criteriaErrors, hasCriteriaErrors: !criteriaErrors.isEmpty, action: action, isEdit: action != "/grants")
    }
}
