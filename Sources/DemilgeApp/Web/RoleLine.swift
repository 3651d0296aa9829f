import DemilgeCore
import Fluent
import Vapor

/// One of a user's roles as a readable line, with a link to where it applies.
struct RoleLine: Encodable {
    let id: String
    let role: String
    let scope: String
    let href: String?

    /// A user's grants as readable lines: "Фасилитатор — Ноокат району".
    static func lines(_ assignments: [RoleAssignment], _ req: Request) async throws -> [RoleLine] {
        let directory = try await req.territoryDirectory()
        let programmes = Dictionary(firstValues: try await Programme.query(on: req.db).all().compactMap { p in p.id.map { ($0, p) } })
        let language = req.language
        return assignments.compactMap { assignment in
            guard let grant = assignment.grant else { return nil }
            let (scope, href): (String, String?)
            switch grant.scope {
            case .global: (scope, href) = (req.t("role.scope.global"), nil)
            case .territory(let id):
                let territory = directory.byID[id]
                (scope, href) = (territory?.name.text(language) ?? "?", territory.map { SitePath.territory($0.code).path })
            case .programme(let id):
                let programme = programmes[id]
                (scope, href) = (programme?.name.text(language) ?? "?", programme.map { SitePath.programme($0.slug).path })
            }
            return RoleLine(id: assignment.id?.uuidString ?? "", role: req.t(grant.role.catalogKey), scope: scope, href: href)
        }
    }
}
