import Fluent

struct M005_CreateAudit: AsyncMigration {
    func prepare(on database: Database) async throws {
        try await database.schema(AuditEntry.schema)
            .field("sequence", .int64, .identifier(auto: false))
            .field("at_millis", .int64, .required)
            .field("actor", .string, .required)
            .field("action", .string, .required)
            .field("entity_type", .string, .required)
            .field("entity_id", .string, .required)
            .field("before", .string)
            .field("after", .string)
            .field("previous_hash", .string, .required)
            .field("hash", .string, .required)
            // A second writer that read the same tail cannot fork the chain.
            .unique(on: "previous_hash")
            .create()
        try await database.schema(RateLimitBucket.schema)
            .field("key", .string, .identifier(auto: false))
            .field("window_start", .int64, .required)
            .field("hits", .int, .required)
            .create()
    }

    func revert(on database: Database) async throws {
        try await database.schema(RateLimitBucket.schema).delete()
        try await database.schema(AuditEntry.schema).delete()
    }
}
