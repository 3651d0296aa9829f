import Fluent

struct M006_CreateProblems: AsyncMigration {
    func prepare(on database: Database) async throws {
        try await database.schema(Problem.schema)
            .id()
            .field("title", .string, .required)
            .field("description", .string, .required)
            .field("category", .string, .required)
            .field("territory_id", .uuid, .required, .references(Territory.schema, "id", onDelete: .restrict))
            .field("author_id", .uuid, .references(User.schema, "id", onDelete: .setNull))
            .field("status", .string, .required)
            .field("hidden", .bool, .required)
            .field("hidden_reason", .string)
            .field("merged_into_id", .uuid, .references(Problem.schema, "id", onDelete: .setNull))
            .field("photo", .string)
            .field("support_count", .int, .required)
            .field("created_at", .datetime)
            .field("version", .int, .required)
            .create()
        try await database.schema(ProblemSupport.schema)
            .id()
            .field("problem_id", .uuid, .required, .references(Problem.schema, "id", onDelete: .cascade))
            .field("user_id", .uuid, .required, .references(User.schema, "id", onDelete: .cascade))
            .field("created_at", .datetime)
            // One support per person per problem, even under concurrent requests.
            .unique(on: "problem_id", "user_id")
            .create()
        try await database.schema(ProblemComment.schema)
            .id()
            .field("problem_id", .uuid, .required, .references(Problem.schema, "id", onDelete: .cascade))
            .field("author_id", .uuid, .required, .references(User.schema, "id", onDelete: .cascade))
            .field("body", .string, .required)
            .field("hidden", .bool, .required)
            .field("hidden_reason", .string)
            .field("created_at", .datetime)
            .create()
        try await database.schema(ProblemEvent.schema)
            .id()
            .field("problem_id", .uuid, .required, .references(Problem.schema, "id", onDelete: .cascade))
            .field("from_status", .string)
            .field("to_status", .string, .required)
            .field("reason", .string, .required)
            .field("at_millis", .int64, .required)
            .create()
    }

    func revert(on database: Database) async throws {
        for schema in [ProblemEvent.schema, ProblemComment.schema, ProblemSupport.schema, Problem.schema] {
            try await database.schema(schema).delete()
        }
    }
}
