import DemilgeCore
import Fluent
import Foundation

/// Replaces a municipality's roll with a checked file, in one transaction: people still on it keep their entries
/// (and so their verifications), people no longer on it lose theirs, in-person entries stay.
enum RollImporter {
    struct Summary: Equatable, Codable {
        var entries = 0
        var added = 0
        var updated = 0
        var removed = 0
        var verificationsEnded = 0
    }

    /// `hashes[i]` is the keyed hash of `entries[i]`'s ПИН; `settlements` maps codes to ids.
    static func replace(territoryID: UUID, entries: [ResidentRoll.Entry], hashes: [String], settlements: [String: UUID],
                        by actor: AuditActor, addedBy: UUID?, on db: any Database) async throws -> Summary {
        var summary = Summary(entries: entries.count)
        let existing = Dictionary(firstValues: try await ResidentEntry.query(on: db).filter(\.$territory.$id == territoryID).all().map { ($0.pinHash, $0) })
        var fresh: [ResidentEntry] = []
        var kept = Set<String>()
        for (entry, hash) in zip(entries, hashes) {
            guard let settlementID = settlements[entry.settlementCode] else { continue }
            kept.insert(hash)
            let record = ResidentEntry(territoryID: territoryID, settlementID: settlementID, pinHash: hash, name: entry.name,
                                       birthDate: entry.birthDate, sex: entry.sex, source: .roll, addedBy: addedBy)
            guard let old = existing[hash] else { fresh.append(record); continue }
            if (old.$settlement.id, old.name, old.birthDate, old.sex, old.source) != (record.$settlement.id, record.name, record.birthDate, record.sex, record.source) {
                old.$settlement.id = settlementID
                old.name = record.name
                old.birthDate = record.birthDate
                old.sex = record.sex
                old.source = record.source
                try await old.update(on: db)
                summary.updated += 1
            }
        }
        try await fresh.create(on: db, batchesOf: 500)
        summary.added = fresh.count
        let gone = existing.values.filter { !kept.contains($0.pinHash) && $0.source == ResidentEntry.Source.roll.rawValue }.compactMap(\.id)
        for chunk in gone.chunks(of: 500) {
            let ids = Array(chunk)
            let ended = try await ResidentVerification.query(on: db).filter(\.$entry.$id ~~ ids).all()
            for verification in ended { try await User.privilegesChanged(verification.$user.id, on: db) }
            summary.verificationsEnded += ended.count
            try await ResidentVerification.query(on: db).filter(\.$entry.$id ~~ ids).delete()
            try await ResidentEntry.query(on: db).filter(\.$id ~~ ids).delete()
        }
        summary.removed = gone.count
        try await AuditLog.record(on: db, by: actor, action: "roll.replace", entityType: "territory", entityID: territoryID.uuidString.lowercased(),
                                  after: summary)
        return summary
    }
}
