import Fluent
import SQLKit

/// Following and notifications: what each person follows (`follows`), what they were told (`notifications`, each
/// with when it is due to be e-mailed, if at all), how each kind reaches them by e-mail (`notification_settings`;
/// a kind without a row has its default), and the language their e-mail is written in (`users.language`).
struct M029_Notifications: AsyncMigration {
    static let indexes: [M020_QueryIndexes.Index] = [
        .init(table: "follows", columns: ["subject_kind", "subject_id"]),
        .init(table: "follows", columns: ["user_id", "created_millis"]),
        .init(table: "notifications", columns: ["user_id", "id"]),
        .init(table: "notifications", columns: ["user_id", "read_millis"]),
        .init(table: "notifications", columns: ["mail_due_millis"]),
    ]

    func prepare(on database: Database) async throws {
        try await database.schema(Follow.schema)
            .id()
            .field("user_id", .uuid, .required, .references(User.schema, "id", onDelete: .cascade))
            .field("subject_kind", .string, .required)
            .field("subject_id", .uuid, .required)
            .field("automatic", .bool, .required)
            .field("created_millis", .int64, .required)
            .unique(on: "user_id", "subject_kind", "subject_id")
            .create()
        try await database.schema(InboxItem.schema)
            .field("id", .int64, .identifier(auto: true))
            .field("user_id", .uuid, .required, .references(User.schema, "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("subject_kind", .string, .required)
            .field("subject_id", .uuid, .required)
            .field("title", .string, .required)
            .field("detail", .string, .required)
            .field("created_millis", .int64, .required)
            .field("read_millis", .int64)
            .field("mail_due_millis", .int64)
            .field("mailed_millis", .int64)
            .create()
        try await database.schema(NotificationSetting.schema)
            .id()
            .field("user_id", .uuid, .required, .references(User.schema, "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("delivery", .string, .required)
            .unique(on: "user_id", "kind")
            .create()
        try await database.schema(User.schema).field("language", .string).update()
        guard let sql = database as? any SQLDatabase else { return }
        for index in Self.indexes { try await index.create(on: sql) }
    }

    func revert(on database: Database) async throws {
        if let sql = database as? any SQLDatabase {
            for index in Self.indexes.reversed() { try await index.drop(on: sql) }
        }
        try await database.schema(User.schema).deleteField("language").update()
        try await database.schema(NotificationSetting.schema).delete()
        try await database.schema(InboxItem.schema).delete()
        try await database.schema(Follow.schema).delete()
    }
}
