import DemilgeCore
import Vapor

/// The follow button beside a page's title, for a signed-in reader (`notifications/follow.leaf`).
struct FollowButton: Encodable {
    let subject: String
    let id: String
    let following: Bool
    let label: String
    let hint: String

    static func build(_ req: Request, _ subject: FollowSubject, _ id: UUID?) async throws -> FollowButton? {
        guard let user = req.currentUser?.id, let id else { return nil }
        let following = try await Notifier.follows(user, subject, id, on: req.db)
        return FollowButton(subject: subject.rawValue, id: id.uuidString.lowercased(), following: following,
                            label: req.t(following ? "notify.unfollow" : "notify.follow"), hint: req.t("notify.follow_hint"))
    }
}
