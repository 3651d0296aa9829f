import Fluent
import Foundation
import SQLKit

/// Sign-in failures per address with their hold (`sign_in_throttle`), and confirmed e-mail addresses: when each
/// account's address was confirmed (`users.email_confirmed_millis`; accounts from before confirmation existed count
/// as confirmed) and the one-time links sent to confirm them (`email_confirmations`, only a hash of each).
struct M028_AccountSafety: AsyncMigration {
    func prepare(on database: Database) async throws {
        try await database.schema(SignInThrottle.table)
            .field("key", .string, .identifier(auto: false))
            .field("failures", .int, .required)
            .field("last_failure_millis", .int64, .required)
            .field("held_until_millis", .int64, .required)
            .create()
        try await database.schema(User.schema).field("email_confirmed_millis", .int64).update()
        try await database.schema(EmailConfirmation.schema)
            .id()
            .field("user_id", .uuid, .required, .references(User.schema, "id", onDelete: .cascade))
            .field("token_hash", .string, .required)
            .field("email", .string, .required)
            .field("expires_millis", .int64, .required)
            .field("created_millis", .int64, .required)
            .unique(on: "token_hash")
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.raw("UPDATE users SET email_confirmed_millis = \(bind: Date().millis)").run()
        }
    }

    func revert(on database: Database) async throws {
        try await database.schema(EmailConfirmation.schema).delete()
        try await database.schema(User.schema).deleteField("email_confirmed_millis").update()
        try await database.schema(SignInThrottle.table).delete()
    }
}
