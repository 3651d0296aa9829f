import DemilgeCore
import Fluent
import SQLKit

/// Audit entries hashed with a key kept outside the database (`keyed`; entries before are plain SHA-256 and stay
/// valid), and the chain's head kept apart (`audit_head`), made here from the current last entry so that from now on
/// deleting the last entries is seen.
struct M026_KeyedAudit: AsyncMigration {
    func prepare(on database: Database) async throws {
        try await database.schema(AuditEntry.schema).field("keyed", .bool, .required, .sql(.default(false))).update()
        try await database.schema(AuditHeadStore.table)
            .field("id", .int, .identifier(auto: false))
            .field("sequence", .int64, .required)
            .field("hash", .string, .required)
            .field("mac", .string, .required)
            .field("updated_millis", .int64, .required)
            .create()
        if let last = try await AuditEntry.query(on: database).sort(\.$id, .descending).first() {
            try await AuditHeadStore.write(AuditHead(for: last.chained, key: AuditKey.current), on: database)
        }
    }

    func revert(on database: Database) async throws {
        try await database.schema(AuditHeadStore.table).delete()
        try await database.schema(AuditEntry.schema).deleteField("keyed").update()
    }
}
