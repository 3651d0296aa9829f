import DemilgeCore
import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit

/// Who an audit entry is attributed to.
enum AuditActor: Sendable {
    case user(UUID)
    case system(String)

    var label: String {
        switch self {
        case .user(let id): "user:\(id.uuidString.lowercased())"
        case .system(let name): "system:\(name)"
        }
    }
}

/// The one function every state change goes through to leave a trace.
/// Call it inside the transaction that makes the change, so both land or neither does.
enum AuditLog {
    /// What the entries recorded inside one `Application.write` named, so that the write can bring the figures of
    /// those places up to date before it commits without reading its own entries back.
    final class Written: Sendable {
        struct Entry: Sendable { let action: String, entityType: String, entityID: String }
        private let box = NIOLockedValueBox<[Entry]>([])
        var entries: [Entry] { box.withLockedValue { $0 } }
        fileprivate func add(_ entry: Entry) { box.withLockedValue { $0.append(entry) } }
    }

    /// Set by `Application.write` around its body (child tasks of the body see it too).
    @TaskLocal static var written: Written?

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .millisecondsSince1970
        return encoder
    }()

    static func record(
        on db: any Database, by actor: AuditActor, action: String,
        entityType: String, entityID: String,
        before: (any Encodable)? = nil, after: (any Encodable)? = nil
    ) async throws {
        if let sql = db as? any SQLDatabase, sql.dialect.name == "postgresql" {
            // Serialise writers so each entry links to the true tail of the chain.
            try await sql.raw("SELECT pg_advisory_xact_lock(7263001)").run()
        }
        let end = try await AuditHeadStore.end(on: db)
        let record = AuditRecord(
            sequence: (end?.sequence ?? 0) + 1,
            atMillis: Date().millis,
            actor: actor.label, action: action, entityType: entityType, entityID: entityID,
            before: try before.map(json), after: try after.map(json))
        let entry = AuditChain.append(record, previousHash: end?.hash, key: AuditKey.current)
        try await AuditEntry(entry).create(on: db)
        try await AuditHeadStore.write(AuditHead(for: entry, key: AuditKey.current), on: db)
        written?.add(.init(action: action, entityType: entityType, entityID: entityID))
    }

    /// A value as an entry's `before`/`after` text: keys sorted, dates in milliseconds.
    static func json(_ value: any Encodable) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Reads the whole chain in order and checks it with its head. Nil means intact.
    static func verify(on db: any Database) async throws -> (count: Int, breach: AuditChain.Breach?) {
        let entries = try await AuditEntry.query(on: db).sort(\.$id, .ascending).all().map(\.chained)
        let head = try await AuditHeadStore.read(on: db)
        return (entries.count, AuditChain.verify(entries, head: head, key: AuditKey.current))
    }
}
