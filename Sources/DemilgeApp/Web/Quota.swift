import DemilgeCore
import Fluent
import Vapor

/// How much one person may add in a day, so that one account cannot flood a village's page (or the uploads
/// folder). Counted from the stored rows, inside the writing transaction with the person's row locked, so
/// parallel requests and several app instances cannot together pass the limit. Administrators have none.
enum Quota {
    enum Kind: String, Sendable {
        case problems, comments, photos

        var perDay: Int {
            switch self {
            case .problems: 10
            case .comments: 60
            case .photos: 10
            }
        }
    }

    struct Exceeded: Error { let kind: Kind }

    static let window: TimeInterval = 24 * 3600

    /// Locks the user and refuses when adding one more `kind` would pass the day's limit.
    static func check(_ kinds: [Kind], user: UUID, actor: Principal, on db: any Database, now: Date = Date()) async throws {
        guard !actor.isAdministrator, !kinds.isEmpty else { return }
        try await RowLock.lock(User.schema, id: user, on: db)
        let since = now.addingTimeInterval(-window)
        for kind in kinds {
            let used: Int
            switch kind {
            case .problems: used = try await Problem.query(on: db).filter(\.$author.$id == user).filter(\.$createdAt >= since).count()
            case .comments: used = try await ProblemComment.query(on: db).filter(\.$author.$id == user).filter(\.$createdAt >= since).count()
            case .photos: used = try await Problem.query(on: db).filter(\.$author.$id == user).filter(\.$photo != nil).filter(\.$createdAt >= since).count()
            }
            if used >= kind.perDay { throw Exceeded(kind: kind) }
        }
    }

    static func message(_ exceeded: Exceeded, _ req: Request) -> String {
        req.t("quota.\(exceeded.kind.rawValue)", ["limit": String(exceeded.kind.perDay)])
    }
}
