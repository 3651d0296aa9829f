import Fluent

/// Round outcomes are computed once when voting ends and stored; result pages and exports read them.
struct M017_CreateRoundResults: AsyncMigration {
    func prepare(on database: Database) async throws {
        try await database.schema(RoundResultRecord.schema)
            .id()
            .field("round_id", .uuid, .required, .references(BudgetRound.schema, "id", onDelete: .cascade))
            .field("result", .string, .required)
            .field("inputs_hash", .string, .required)
            .field("computed_at", .datetime)
            .unique(on: "round_id")
            .create()
        try await database.schema(RoundVoterShare.schema)
            .id()
            .field("round_id", .uuid, .required, .references(BudgetRound.schema, "id", onDelete: .cascade))
            .field("ballot_id", .uuid, .required, .references(BudgetBallot.schema, "id", onDelete: .cascade))
            .field("payments", .string, .required)
            .unique(on: "round_id", "ballot_id")
            .create()
        try await database.schema(ServerSecret.schema)
            .field("name", .string, .identifier(auto: false))
            .field("value", .string, .required)
            .create()
    }

    func revert(on database: Database) async throws {
        try await database.schema(ServerSecret.schema).delete()
        try await database.schema(RoundVoterShare.schema).delete()
        try await database.schema(RoundResultRecord.schema).delete()
    }
}
