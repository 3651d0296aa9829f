import Fluent

struct M009_CreateInitiativeGroups: AsyncMigration {
    func prepare(on database: Database) async throws {
        try await database.schema(InitiativeGroup.schema)
            .id()
            .field("territory_id", .uuid, .required, .references(Territory.schema, "id", onDelete: .restrict))
            .field("name", .string, .required)
            .field("focus", .string, .required)
            .field("coordinator_id", .uuid, .required, .references(User.schema, "id", onDelete: .restrict))
            .field("created_at", .datetime)
            .create()
        try await database.schema(GroupMembership.schema)
            .id()
            .field("group_id", .uuid, .required, .references(InitiativeGroup.schema, "id", onDelete: .cascade))
            .field("user_id", .uuid, .required, .references(User.schema, "id", onDelete: .cascade))
            .field("sector", .string, .required)
            .field("status", .string, .required)
            .field("created_at", .datetime)
            .unique(on: "group_id", "user_id")
            .create()
    }

    func revert(on database: Database) async throws {
        try await database.schema(GroupMembership.schema).delete()
        try await database.schema(InitiativeGroup.schema).delete()
    }
}
