import Fluent

/// Declared conflicts of interest can be withdrawn with a reason; the declaration stays on record.
struct M016_ConflictWithdrawal: AsyncMigration {
    func prepare(on database: Database) async throws {
        // One column per ALTER TABLE: SQLite adds only one at a time.
        try await database.schema(GrantConflict.schema).field("withdrawn_at", .datetime).update()
        try await database.schema(GrantConflict.schema).field("withdrawal_reason", .string).update()
    }

    func revert(on database: Database) async throws {
        try await database.schema(GrantConflict.schema).deleteField("withdrawal_reason").update()
        try await database.schema(GrantConflict.schema).deleteField("withdrawn_at").update()
    }
}
