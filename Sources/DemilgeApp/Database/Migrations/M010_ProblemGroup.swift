import Fluent

/// A problem can be raised on behalf of an initiative group.
struct M010_ProblemGroup: AsyncMigration {
    func prepare(on database: Database) async throws {
        try await database.schema(Problem.schema)
            .field("group_id", .uuid, .references(InitiativeGroup.schema, "id", onDelete: .setNull))
            .update()
    }

    func revert(on database: Database) async throws {
        try await database.schema(Problem.schema).deleteField("group_id").update()
    }
}
