import Fluent

/// Each territory's own figures, kept current by every write (`PlaceFiguresStore`). The table starts empty; the
/// figures of data already there are built after migrating (`PlaceFiguresStore.ensureBuilt`), with today's models.
struct M023_CreatePlaceFigures: AsyncMigration {
    func prepare(on database: Database) async throws {
        try await database.schema(PlaceFiguresRecord.schema)
            .field("territory_id", .uuid, .identifier(auto: false), .references(Territory.schema, "id", onDelete: .cascade))
            .field("figures", .string, .required)
            .field("updated_at", .datetime)
            .create()
    }

    func revert(on database: Database) async throws {
        try await database.schema(PlaceFiguresRecord.schema).delete()
    }
}
