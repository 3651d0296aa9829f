import Fluent

struct M015_CreatePractices: AsyncMigration {
    func prepare(on database: Database) async throws {
        try await database.schema(Practice.schema)
            .id()
            .field("title", .string, .required)
            .field("theme", .string, .required)
            .field("territory_id", .uuid, .required, .references(Territory.schema, "id", onDelete: .restrict))
            .field("organisation_id", .uuid, .references(Organisation.schema, "id", onDelete: .setNull))
            .field("grant_id", .uuid, .references(GrantApplication.schema, "id", onDelete: .setNull))
            .field("what_was_done", .string, .required)
            .field("what_worked", .string, .required)
            .field("contact", .string, .required)
            .field("grant_tyiyn", .int64, .required)
            .field("local_budget_tyiyn", .int64, .required)
            .field("community_tyiyn", .int64, .required)
            .field("other_tyiyn", .int64, .required)
            .field("published_on", .string, .required)
            .field("created_at", .datetime)
            .unique(on: "grant_id")
            .create()
    }

    func revert(on database: Database) async throws {
        try await database.schema(Practice.schema).delete()
    }
}
