import Fluent

struct M002_CreateOrganisations: AsyncMigration {
    func prepare(on database: Database) async throws {
        try await database.schema(Organisation.schema)
            .id()
            .field("slug", .string, .required)
            .field("kind", .string, .required)
            .field("legal_form", .string)
            .field("name_ky", .string, .required)
            .field("name_ru", .string)
            .field("name_en", .string)
            .field("territory_id", .uuid, .references(Territory.schema, "id", onDelete: .restrict))
            .field("place", .string)
            .field("website", .string)
            .field("created_at", .datetime)
            .field("version", .int, .required)
            .unique(on: "slug")
            .create()
    }

    func revert(on database: Database) async throws {
        try await database.schema(Organisation.schema).delete()
    }
}
