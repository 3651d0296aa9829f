import Fluent
import SQLKit

/// Places and organisations whose names were invented by `demilge seed --scale` (the seeds name only some of the
/// country's municipalities and villages) are marked, so that no page presents an invented name as a real one.
struct M019_MarkGenerated: AsyncMigration {
    func prepare(on database: Database) async throws {
        try await database.schema(Territory.schema).field("generated", .bool, .required, .sql(.default(false))).update()
        try await database.schema(Organisation.schema).field("generated", .bool, .required, .sql(.default(false))).update()
    }

    func revert(on database: Database) async throws {
        try await database.schema(Organisation.schema).deleteField("generated").update()
        try await database.schema(Territory.schema).deleteField("generated").update()
    }
}
