import Fluent

/// Each place's stored figures now also keep its figures month by month (the indicators' periods add them up): the
/// stored rows are emptied, and `PlaceFiguresStore.ensureBuilt` computes them again after migrating.
struct M031_FiguresByMonth: AsyncMigration {
    func prepare(on database: Database) async throws {
        try await PlaceFiguresRecord.query(on: database).delete()
    }

    func revert(on database: Database) async throws {}
}
