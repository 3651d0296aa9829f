import Fluent

struct M013_CreateSearchEntries: AsyncMigration {
    func prepare(on database: Database) async throws {
        try await database.schema(SearchEntry.schema)
            .id()
            .field("entity_type", .string, .required)
            .field("entity_id", .string, .required)
            .field("title", .string, .required)
            .field("body", .string, .required)
            .field("url", .string, .required)
            .field("title_keys", .string, .required)
            .field("keys", .string, .required)
            .field("folded_keys", .string, .required)
            .unique(on: "entity_type", "entity_id")
            .create()
    }

    func revert(on database: Database) async throws {
        try await database.schema(SearchEntry.schema).delete()
    }
}
