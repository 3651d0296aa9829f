import Fluent
import SQLKit

/// E-mail waiting to leave (`outbox_messages`, written in the transaction of the event it tells about), one-time
/// password-reset tokens (`password_resets`, only a hash of each), and the moment before which a user's sessions no
/// longer count (`users.sessions_since`, moved by a password change or reset). Times are milliseconds since 1970,
/// compared in SQL the same way on both databases.
struct M025_CreateOutbox: AsyncMigration {
    func prepare(on database: Database) async throws {
        try await database.schema(OutboxMessage.schema)
            .id()
            .field("message_id", .string, .required)
            .field("kind", .string, .required)
            .field("recipient", .string, .required)
            .field("language", .string, .required)
            .field("subject", .string, .required)
            .field("body", .string, .required)
            .field("unsubscribe", .string)
            .field("status", .string, .required)
            .field("attempts", .int, .required)
            .field("due_millis", .int64, .required)
            .field("claimed_until_millis", .int64)
            .field("last_error", .string)
            .field("created_millis", .int64, .required)
            .field("sent_millis", .int64)
            .unique(on: "message_id")
            .create()
        try await database.schema(PasswordReset.schema)
            .id()
            .field("user_id", .uuid, .required, .references(User.schema, "id", onDelete: .cascade))
            .field("token_hash", .string, .required)
            .field("origin", .string, .required)
            .field("expires_millis", .int64, .required)
            .field("used_millis", .int64)
            .field("created_millis", .int64, .required)
            .unique(on: "token_hash")
            .create()
        try await database.schema(User.schema).field("sessions_since_millis", .int64).update()
        if let sql = database as? any SQLDatabase {
            // The worker asks for queued messages that are due, oldest first.
            try await sql.raw("CREATE INDEX outbox_due ON outbox_messages (status, due_millis)").run()
        }
    }

    func revert(on database: Database) async throws {
        try await database.schema(User.schema).deleteField("sessions_since_millis").update()
        try await database.schema(PasswordReset.schema).delete()
        try await database.schema(OutboxMessage.schema).delete()
    }
}
