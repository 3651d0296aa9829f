import Fluent

struct M014_CreateEvents: AsyncMigration {
    func prepare(on database: Database) async throws {
        try await database.schema(Event.schema)
            .id()
            .field("kind", .string, .required)
            .field("title", .string, .required)
            .field("host_territory_id", .uuid, .required, .references(Territory.schema, "id", onDelete: .restrict))
            .field("organiser_id", .uuid, .references(Organisation.schema, "id", onDelete: .setNull))
            .field("programme_id", .uuid, .references(Programme.schema, "id", onDelete: .setNull))
            .field("held_on", .string, .required)
            .field("agenda", .string, .required)
            .field("outcomes", .string, .required)
            .field("participants", .string, .required)
            .field("participants_note", .string, .required)
            .field("version", .int, .required)
            .field("created_at", .datetime)
            .create()
        try await database.schema(EventInvitation.schema)
            .id()
            .field("event_id", .uuid, .required, .references(Event.schema, "id", onDelete: .cascade))
            .field("territory_id", .uuid, .required, .references(Territory.schema, "id", onDelete: .restrict))
            .unique(on: "event_id", "territory_id")
            .create()
    }

    func revert(on database: Database) async throws {
        try await database.schema(EventInvitation.schema).delete()
        try await database.schema(Event.schema).delete()
    }
}
