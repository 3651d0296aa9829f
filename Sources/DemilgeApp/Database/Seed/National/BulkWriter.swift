import DemilgeCore
import Fluent
import Vapor

/// Rows of one table collected and written a thousand at a time, each thousand in its own write transaction, so that
/// millions of rows never sit in memory at once. `add` only collects: the caller flushes parents before children
/// (`flushIfFull` for a table nothing refers to), as foreign keys require.
struct BulkWriter<M: Model> {
    let app: Application
    let size: Int
    private var buffer: [M] = []
    private(set) var written = 0

    init(_ app: Application, size: Int = 1_000) {
        self.app = app
        self.size = size
        buffer.reserveCapacity(size)
    }

    mutating func add(_ model: M) { buffer.append(model) }

    var isFull: Bool { buffer.count >= size }

    mutating func flushIfFull(alongside: (@Sendable (any Database) async throws -> Void)? = nil) async throws {
        if isFull { try await flush(alongside: alongside) }
    }

    /// Writes the collected rows; `alongside` runs in the same transaction.
    mutating func flush(alongside: (@Sendable (any Database) async throws -> Void)? = nil) async throws {
        guard !buffer.isEmpty else { return }
        let rows = buffer
        buffer.removeAll(keepingCapacity: true)
        try await app.write(counted: false) { db in
            try await rows.create(on: db)
            try await alongside?(db)
        }
        written += rows.count
    }
}

/// Audit entries appended to the chain in order, from its current tail, in batches: the chain `audit verify` checks
/// is the same as if every change had recorded its own entry.
struct BulkAudit {
    private var entries: BulkWriter<AuditEntry>
    /// The chain's end as `AuditLog.record` finds it, then the last entry added here.
    private var previousHash: String?
    private var sequence: Int64
    private var tail: ChainedAuditEntry?

    static func start(_ app: Application) async throws -> BulkAudit {
        let end = try await AuditHeadStore.end(on: app.db)
        return BulkAudit(entries: BulkWriter(app), previousHash: end?.hash, sequence: end?.sequence ?? 0)
    }

    private init(entries: BulkWriter<AuditEntry>, previousHash: String?, sequence: Int64) {
        self.entries = entries
        self.previousHash = previousHash
        self.sequence = sequence
    }

    var written: Int { entries.written }

    mutating func record(_ action: String, _ entityType: String, _ entityID: UUID, at: Date, after: [String: String]? = nil) async throws {
        sequence += 1
        let record = AuditRecord(sequence: sequence, atMillis: at.millis, actor: "system:national-seed",
                                 action: action, entityType: entityType, entityID: entityID.uuidString.lowercased(), before: nil,
                                 after: try after.map(AuditLog.json))
        let entry = AuditChain.append(record, previousHash: previousHash, key: AuditKey.current)
        previousHash = entry.hash
        tail = entry
        entries.add(AuditEntry(entry))
        try await entries.flushIfFull(alongside: moveHead)
    }

    mutating func flush() async throws { try await entries.flush(alongside: moveHead) }

    /// The head moves with each batch, in its transaction.
    private var moveHead: @Sendable (any Database) async throws -> Void {
        let head = tail.map { AuditHead(for: $0, key: AuditKey.current) }
        return { db in if let head { try await AuditHeadStore.write(head, on: db) } }
    }
}
