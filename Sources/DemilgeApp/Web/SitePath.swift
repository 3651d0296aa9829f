import Foundation
import Vapor

/// Every page address Demilge links or redirects to, built in one place: ids are written in lower case, codes
/// and slugs as stored, anchors by name. A route that moves changes here only.
enum SitePath: Equatable, Sendable {
    case problem(UUID?), problemComments(UUID?)
    case territory(String), organisation(String), programme(String)
    case assessment(UUID?), ranking(session: UUID?, group: UUID?)
    case commission(UUID?), commissionPlan(UUID?)
    case group(UUID?)
    case round(UUID?), roundPaper(UUID?), roundDesk(UUID?)
    case territoryRoll(String), accountVerify
    case call(UUID?), callReview(UUID?), callEdit(UUID?), callApply(UUID?), application(UUID?), applicationVisits(UUID?)
    case event(UUID?), practice(UUID?)
    case adminUser(UUID?), outboxMessage(UUID?)

    var path: String {
        switch self {
        case .problem(let id): "/problems/\(Self.text(id))"
        case .problemComments(let id): "/problems/\(Self.text(id))#comments"
        case .territory(let code): "/territories/\(code)"
        case .organisation(let slug): "/organisations/\(slug)"
        case .programme(let slug): "/programmes/\(slug)"
        case .assessment(let id): "/assessments/\(Self.text(id))"
        case .ranking(let session, let group): "/assessments/\(Self.text(session))/groups/\(Self.text(group))/ranking"
        case .commission(let id): "/commissions/\(Self.text(id))"
        case .commissionPlan(let id): "/commissions/\(Self.text(id))#plan"
        case .group(let id): "/groups/\(Self.text(id))"
        case .round(let id): "/rounds/\(Self.text(id))"
        case .roundPaper(let id): "/rounds/\(Self.text(id))/paper"
        case .roundDesk(let id): "/rounds/\(Self.text(id))/desk"
        case .territoryRoll(let code): "/territories/\(code)/roll"
        case .accountVerify: "/account/verify"
        case .call(let id): "/grants/\(Self.text(id))"
        case .callReview(let id): "/grants/\(Self.text(id))/review"
        case .callEdit(let id): "/grants/\(Self.text(id))/edit"
        case .callApply(let id): "/grants/\(Self.text(id))/apply"
        case .application(let id): "/applications/\(Self.text(id))"
        case .applicationVisits(let id): "/applications/\(Self.text(id))#visits"
        case .event(let id): "/events/\(Self.text(id))"
        case .practice(let id): "/practices/\(Self.text(id))"
        case .adminUser(let id): "/admin/users/\(Self.text(id))"
        case .outboxMessage(let id): "/admin/outbox/\(Self.text(id))"
        }
    }

    private static func text(_ id: UUID?) -> String { id?.uuidString.lowercased() ?? "" }

    /// The kinds of page a template may name with `#path(kind, value)`.
    enum Kind: String, CaseIterable {
        case territory, organisation, programme, problem, assessment, commission, group, round, call, application, event, practice, adminUser, outboxMessage
    }

    /// The page a template names by kind, as `#path("problem", p.id)`: nil for an unknown kind or an id that is not one.
    static func named(_ kind: String, _ value: String) -> SitePath? {
        guard let kind = Kind(rawValue: kind) else { return nil }
        let id = UUID(uuidString: value)
        switch kind {
        case .territory: return .territory(value)
        case .organisation: return .organisation(value)
        case .programme: return .programme(value)
        case .problem: return id.map { .problem($0) }
        case .assessment: return id.map { .assessment($0) }
        case .commission: return id.map { .commission($0) }
        case .group: return id.map { .group($0) }
        case .round: return id.map { .round($0) }
        case .call: return id.map { .call($0) }
        case .application: return id.map { .application($0) }
        case .event: return id.map { .event($0) }
        case .practice: return id.map { .practice($0) }
        case .adminUser: return id.map { .adminUser($0) }
        case .outboxMessage: return id.map { .outboxMessage($0) }
        }
    }
}

extension Request {
    /// After a form is taken: see the page (303, so a reload does not post again).
    func redirect(to page: SitePath) -> Response { redirect(to: page.path, redirectType: .normal) }

    /// The same, scrolled to a named part of the page.
    func redirect(to page: SitePath, anchor: String) -> Response { redirect(to: page.path + "#" + anchor, redirectType: .normal) }
}
