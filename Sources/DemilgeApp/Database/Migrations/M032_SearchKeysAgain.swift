import Fluent

/// The Kyrgyz stemmer now strips endings one after another (үйлөрүбүздөн → үй), knows the stems that change
/// (мурун → мурд-), and keeps the words a rule would break (its lexicon): the stored keys are computed again so
/// that old entries and new queries meet on the same stems.
struct M032_SearchKeysAgain: AsyncMigration {
    func prepare(on database: Database) async throws {
        _ = try await SearchIndex.rebuild(on: database)
    }

    func revert(on database: Database) async throws {}
}
