import Fluent

struct M007_CreateAssessments: AsyncMigration {
    func prepare(on database: Database) async throws {
        try await database.schema(AssessmentSession.schema)
            .id()
            .field("territory_id", .uuid, .required, .references(Territory.schema, "id", onDelete: .restrict))
            .field("held_on", .string, .required)
            .field("place", .string, .required)
            .field("facilitators", .string, .required)
            .field("notes", .string, .required)
            .field("created_at", .datetime)
            .create()
        try await database.schema(FocusGroup.schema)
            .id()
            .field("session_id", .uuid, .required, .references(AssessmentSession.schema, "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("label", .string)
            .field("participants", .string, .required)
            .create()
        try await database.schema(FocusGroupRanking.schema)
            .id()
            .field("group_id", .uuid, .required, .references(FocusGroup.schema, "id", onDelete: .cascade))
            .field("problem_id", .uuid, .required, .references(Problem.schema, "id", onDelete: .restrict))
            .field("place", .int, .required)
            .unique(on: "group_id", "problem_id")
            .create()
    }

    func revert(on database: Database) async throws {
        for schema in [FocusGroupRanking.schema, FocusGroup.schema, AssessmentSession.schema] {
            try await database.schema(schema).delete()
        }
    }
}
