import Fluent

struct M001_CreateTerritories: AsyncMigration {
    func prepare(on database: Database) async throws {
        try await database.schema(Territory.schema)
            .id()
            .field("code", .string, .required)
            .field("kind", .string, .required)
            .field("parent_id", .uuid, .references(Territory.schema, "id", onDelete: .restrict))
            .field("iso_code", .string)
            .field("name_ky", .string, .required)
            .field("name_ru", .string)
            .field("name_en", .string)
            .field("aliases", .string, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .field("version", .int, .required)
            .unique(on: "code")
            .create()
    }

    func revert(on database: Database) async throws {
        try await database.schema(Territory.schema).delete()
    }
}
