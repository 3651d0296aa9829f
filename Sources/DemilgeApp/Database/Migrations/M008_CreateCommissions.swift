import Fluent

struct M008_CreateCommissions: AsyncMigration {
    func prepare(on database: Database) async throws {
        try await database.schema(Commission.schema)
            .id()
            .field("territory_id", .uuid, .required, .references(Territory.schema, "id", onDelete: .restrict))
            .field("name", .string, .required)
            .field("created_at", .datetime)
            .create()
        try await database.schema(CommissionMember.schema)
            .id()
            .field("commission_id", .uuid, .required, .references(Commission.schema, "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("affiliation", .string, .required)
            .field("position", .string, .required)
            .create()
        try await database.schema(CommissionMeeting.schema)
            .id()
            .field("commission_id", .uuid, .required, .references(Commission.schema, "id", onDelete: .cascade))
            .field("held_on", .string, .required)
            .field("present", .int, .required)
            .field("minutes", .string, .required)
            .create()
        try await database.schema(CommissionDecision.schema)
            .id()
            .field("meeting_id", .uuid, .required, .references(CommissionMeeting.schema, "id", onDelete: .cascade))
            .field("problem_id", .uuid, .required, .references(Problem.schema, "id", onDelete: .restrict))
            .field("reason", .string, .required)
            .create()
        try await database.schema(ActionMeasure.schema)
            .id()
            .field("commission_id", .uuid, .required, .references(Commission.schema, "id", onDelete: .cascade))
            .field("problem_id", .uuid, .required, .references(Problem.schema, "id", onDelete: .restrict))
            .field("description", .string, .required)
            .field("responsible", .string, .required)
            .field("deadline", .string, .required)
            .field("planned_tyiyn", .int64, .required)
            .field("source", .string, .required)
            .field("status", .string, .required)
            .field("progress", .int, .required)
            .field("version", .int, .required)
            .create()
    }

    func revert(on database: Database) async throws {
        for schema in [ActionMeasure.schema, CommissionDecision.schema, CommissionMeeting.schema, CommissionMember.schema, Commission.schema] {
            try await database.schema(schema).delete()
        }
    }
}
