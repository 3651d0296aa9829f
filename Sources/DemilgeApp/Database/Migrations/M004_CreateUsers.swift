import Fluent

struct M004_CreateUsers: AsyncMigration {
    func prepare(on database: Database) async throws {
        try await database.schema(User.schema)
            .id()
            .field("email", .string, .required)
            .field("display_name", .string, .required)
            .field("password_hash", .string, .required)
            .field("disabled", .bool, .required)
            .field("created_at", .datetime)
            .unique(on: "email")
            .create()
        try await database.schema(RoleAssignment.schema)
            .id()
            .field("user_id", .uuid, .required, .references(User.schema, "id", onDelete: .cascade))
            .field("role", .string, .required)
            .field("territory_id", .uuid, .references(Territory.schema, "id", onDelete: .restrict))
            .field("programme_id", .uuid, .references(Programme.schema, "id", onDelete: .restrict))
            .field("created_at", .datetime)
            .unique(on: "user_id", "role", "territory_id", "programme_id")
            .create()
    }

    func revert(on database: Database) async throws {
        try await database.schema(RoleAssignment.schema).delete()
        try await database.schema(User.schema).delete()
    }
}
