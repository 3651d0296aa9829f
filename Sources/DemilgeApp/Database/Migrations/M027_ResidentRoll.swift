import Fluent
import SQLKit

/// Municipal resident rolls (ПИН kept only as a keyed hash), accounts verified against them, who took part in each
/// round (one person, one ballot), each round's eligibility, and when each account's roles last changed. Rounds that exist already keep what they were:
/// open to self-declared residents.
struct M027_ResidentRoll: AsyncMigration {
    func prepare(on database: Database) async throws {
        try await database.schema(ResidentEntry.schema)
            .id()
            .field("territory_id", .uuid, .required, .references(Territory.schema, "id"))
            .field("settlement_id", .uuid, .required, .references(Territory.schema, "id"))
            .field("pin_hash", .string, .required)
            .field("name", .string, .required)
            .field("birth_date", .string)
            .field("sex", .string)
            .field("source", .string, .required)
            .field("added_by", .uuid, .references(User.schema, "id"))
            .field("created_at", .datetime)
            .unique(on: "territory_id", "pin_hash")
            .create()
        try await database.schema(ResidentVerification.schema)
            .id()
            .field("user_id", .uuid, .required, .references(User.schema, "id", onDelete: .cascade))
            .field("entry_id", .uuid, .required, .references(ResidentEntry.schema, "id", onDelete: .cascade))
            .field("method", .string, .required)
            .field("verified_by", .uuid, .references(User.schema, "id"))
            .field("verified_at", .datetime)
            .unique(on: "user_id")
            .unique(on: "entry_id")
            .create()
        try await database.schema(RoundParticipation.schema)
            .id()
            .field("round_id", .uuid, .required, .references(BudgetRound.schema, "id", onDelete: .cascade))
            .field("pin_hash", .string, .required)
            .field("channel", .string, .required)
            .field("sex", .string)
            .field("age_band", .string)
            .field("created_at", .datetime)
            .unique(on: "round_id", "pin_hash")
            .create()
        try await database.schema(User.schema).field("privileges_since_millis", .int64).update()
        try await database.schema(BudgetRound.schema)
            .field("eligibility", .string, .required, .sql(.default("self_declared"))).update()
        if let sql = database as? any SQLDatabase {
            // A verification and the paper desk look a person up by ПИН hash across the rolls under a round.
            try await sql.raw("CREATE INDEX resident_roll_entries_pin ON resident_roll_entries (pin_hash)").run()
        }
    }

    func revert(on database: Database) async throws {
        try await database.schema(BudgetRound.schema).deleteField("eligibility").update()
        try await database.schema(User.schema).deleteField("privileges_since_millis").update()
        try await database.schema(RoundParticipation.schema).delete()
        try await database.schema(ResidentVerification.schema).delete()
        try await database.schema(ResidentEntry.schema).delete()
    }
}
