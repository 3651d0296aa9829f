import DemilgeCore
import Fluent
import Vapor

/// The form for raising a problem, with what was typed: categories, places, and the initiative groups the person may
/// raise it for.
struct ProblemFormPage: Encodable {
    let form: FormState
    let categories: [Option]
    let places: [PlaceGroup]
    let groups: [Option]

    static func build(_ req: Request, _ form: FormState) async throws -> ProblemFormPage {
        async let places = PlaceGroup.choices(req, selected: form["territory"])
        async let groups = myGroups(req)
        return ProblemFormPage(
            form: form,
            categories: ProblemCategory.allCases.map { .init(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0.rawValue == form["category"]) },
            places: try await places,
            groups: try await groups.map { .init(value: $0.idString, label: $0.name, selected: $0.idString == form["group"]) })
    }

    /// The initiative groups the signed-in person is a member of.
    static func myGroups(_ req: Request) async throws -> [InitiativeGroup] {
        guard let userID = req.actor.userID else { return [] }
        let ids = try await GroupMembership.query(on: req.db).filter(\.$user.$id == userID).filter(\.$status == MembershipStatus.member).all().map(\.$group.id)
        return try await InitiativeGroup.query(on: req.db).filter(\.$id ~~ ids).sort(\.$name).all()
    }
}
