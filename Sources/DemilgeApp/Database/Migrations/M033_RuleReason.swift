import Fluent

/// Why the commission chose the round's rule (`budget_rounds.rule_reason`): written on the rule page before voting
/// opens, after comparing how each rule would have decided past rounds, and published with the round.
struct M033_RuleReason: AsyncMigration {
    func prepare(on database: Database) async throws {
        try await database.schema(BudgetRound.schema).field("rule_reason", .string).update()
    }

    func revert(on database: Database) async throws {
        try await database.schema(BudgetRound.schema).deleteField("rule_reason").update()
    }
}
