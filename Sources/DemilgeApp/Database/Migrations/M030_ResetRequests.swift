import Fluent

/// Forgotten-password requests as the form takes them (`password_reset_requests`): the request only records the
/// address, whether or not it has an account, and the outbox worker makes the link; so both answers take the same
/// work and time.
struct M030_ResetRequests: AsyncMigration {
    func prepare(on database: Database) async throws {
        try await database.schema(PasswordResetRequest.schema)
            .id()
            .field("email", .string, .required)
            .field("language", .string, .required)
            .field("created_millis", .int64, .required)
            .create()
    }

    func revert(on database: Database) async throws {
        try await database.schema(PasswordResetRequest.schema).delete()
    }
}
