import DemilgeCore
import Fluent
import Foundation

/// How one kind of notification reaches a person by e-mail, when they chose other than the kind's default.
final class NotificationSetting: Model, @unchecked Sendable {
    static let schema = "notification_settings"

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    @Field(key: "kind") var kind: NotificationKind
    @Field(key: "delivery") var delivery: MailDelivery

    init() {}

    init(userID: UUID, kind: NotificationKind, delivery: MailDelivery) {
        self.$user.id = userID
        self.kind = kind
        self.delivery = delivery
    }
}
