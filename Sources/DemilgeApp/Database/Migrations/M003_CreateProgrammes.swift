import Fluent

struct M003_CreateProgrammes: AsyncMigration {
    func prepare(on database: Database) async throws {
        try await database.schema(Programme.schema)
            .id()
            .field("slug", .string, .required)
            .field("name_ky", .string, .required)
            .field("name_ru", .string)
            .field("name_en", .string)
            .field("summary_ky", .string, .required)
            .field("summary_ru", .string)
            .field("summary_en", .string)
            .field("donor_id", .uuid, .references(Organisation.schema, "id", onDelete: .restrict))
            .field("implementer_id", .uuid, .references(Organisation.schema, "id", onDelete: .restrict))
            .field("start_month", .string)
            .field("end_month", .string)
            .field("budget_minor", .int64)
            .field("budget_currency", .string)
            .field("national", .bool, .required)
            .field("goals", .string, .required)
            .field("sources", .string, .required)
            .field("created_at", .datetime)
            .unique(on: "slug")
            .create()
        try await database.schema(ProgrammePartner.schema)
            .id()
            .field("programme_id", .uuid, .required, .references(Programme.schema, "id", onDelete: .cascade))
            .field("organisation_id", .uuid, .required, .references(Organisation.schema, "id", onDelete: .restrict))
            .unique(on: "programme_id", "organisation_id")
            .create()
        try await database.schema(ProgrammeRegion.schema)
            .id()
            .field("programme_id", .uuid, .required, .references(Programme.schema, "id", onDelete: .cascade))
            .field("territory_id", .uuid, .required, .references(Territory.schema, "id", onDelete: .restrict))
            .unique(on: "programme_id", "territory_id")
            .create()
        try await database.schema(ProgrammeGrantee.schema)
            .id()
            .field("programme_id", .uuid, .required, .references(Programme.schema, "id", onDelete: .cascade))
            .field("organisation_id", .uuid, .required, .references(Organisation.schema, "id", onDelete: .restrict))
            .field("territory_id", .uuid, .required, .references(Territory.schema, "id", onDelete: .restrict))
            .field("title_ky", .string, .required)
            .field("title_ru", .string)
            .field("title_en", .string)
            .field("goal_ky", .string, .required)
            .field("goal_ru", .string)
            .field("goal_en", .string)
            .unique(on: "programme_id", "organisation_id")
            .create()
    }

    func revert(on database: Database) async throws {
        for schema in [ProgrammeGrantee.schema, ProgrammeRegion.schema, ProgrammePartner.schema, Programme.schema] {
            try await database.schema(schema).delete()
        }
    }
}
