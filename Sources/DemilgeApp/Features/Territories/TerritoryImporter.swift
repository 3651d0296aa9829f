import DemilgeCore
import Fluent
import Foundation

/// Applies checked territory records: creates new codes, renames or moves existing ones.
/// Every change is audited; unchanged records are left alone.
enum TerritoryImporter {
    struct Summary: Equatable {
        var created = 0
        var updated = 0
        var unchanged = 0
    }

    enum Mode { case createOnly, createOrUpdate }

    static func apply(_ records: [TerritoryRecord], mode: Mode, by actor: AuditActor, on db: any Database) async throws -> Summary {
        var summary = Summary()
        var idByCode: [String: UUID] = [:]
        for territory in try await Territory.query(on: db).all() {
            idByCode[territory.code] = territory.id
        }
        for record in records {
            let parentID = try record.parentCode.map { code in
                guard let id = idByCode[code] else { throw TerritoryImportError.unknownParent(code) }
                return id
            }
            if let existing = try await Territory.query(on: db).filter(\.$code == record.code).first() {
                guard mode == .createOrUpdate else { summary.unchanged += 1; continue }
                let before = existing.snapshot
                existing.name = record.name
                existing.$parent.id = parentID
                existing.kind = record.kind
                existing.isoCode = record.isoCode
                existing.aliases = record.aliases.joined(separator: ";")
                guard existing.snapshot != before else { summary.unchanged += 1; continue }
                existing.version = existing.version.saturatingAdding(1)
                try await existing.update(on: db)
                try await AuditLog.record(on: db, by: actor, action: "territory.update", entityType: "territory",
                                          entityID: existing.code, before: before, after: existing.snapshot)
                summary.updated += 1
            } else {
                let territory = Territory(code: record.code, kind: record.kind, parentID: parentID,
                                          isoCode: record.isoCode, name: record.name, aliases: record.aliases)
                try await territory.create(on: db)
                idByCode[record.code] = territory.id
                try await AuditLog.record(on: db, by: actor, action: "territory.create", entityType: "territory",
                                          entityID: territory.code, after: territory.snapshot)
                summary.created += 1
            }
        }
        return summary
    }
}

enum TerritoryImportError: Error {
    case unknownParent(String)
}
