import Fluent
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// Write transactions go through here. SQLite allows one writer, and two deferred transactions
/// that both read and then write deadlock (SQLite reports it at once instead of waiting), so on
/// SQLite this process's writes take turns. On PostgreSQL they run concurrently.
actor WriteGate {
    private let serialises: Bool
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(serialises: Bool) { self.serialises = serialises }

    var waitingCount: Int { waiting.count }

    func acquire() async {
        guard serialises else { return }
        if !busy { busy = true; return }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        guard serialises else { return }
        if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
    }
}

extension Application {
    private struct WriteGateKey: StorageKey { typealias Value = WriteGate }
    private struct CommittedWritesKey: StorageKey { typealias Value = NIOLockedValueBox<Int> }
    private struct UnauditedWritesKey: StorageKey { typealias Value = NIOLockedValueBox<[String]> }

    /// Write transactions committed by this instance since it started: the hostile-input suite checks that a
    /// refused request committed none.
    var committedWrites: Int { storage[CommittedWritesKey.self]?.withLockedValue { $0 } ?? 0 }

    /// Counted writes that changed rows and committed without an audit entry, by the route that made them (a write
    /// that found nothing to do is not one): every change of data is audited, and every test's app is checked to have
    /// none when the test ends (`withFreshDatabase`).
    var unauditedWrites: [String] { storage[UnauditedWritesKey.self]?.withLockedValue { $0 } ?? [] }

    func installWriteCounter() {
        storage[CommittedWritesKey.self] = NIOLockedValueBox(0)
        storage[UnauditedWritesKey.self] = NIOLockedValueBox([])
    }

    var writeGate: WriteGate {
        get { storage[WriteGateKey.self] ?? WriteGate(serialises: false) }
        set { storage[WriteGateKey.self] = newValue }
    }

    /// Runs `body` in one transaction: all of its changes land, or none. `counted: false` is for bookkeeping that a
    /// refused request is meant to leave (a sign-in attempt counted against its limit).
    func write<T: Sendable>(counted: Bool = true, by source: String = "", _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        let gate = writeGate
        await gate.acquire()
        do {
            let written = AuditLog.Written()
            let (result, unaudited) = try await db.transaction { db in
                let changes = counted ? try await RowChanges.start(on: db) : nil
                let result = try await AuditLog.$written.withValue(written) { try await body(db) }
                // The figures of the places this write changed, current when it commits (counted writes only:
                // bookkeeping changes no figure).
                if counted { try await PlaceFiguresStore.refresh(written.entries, on: db) }
                // A write that changed rows without an audit entry (one that found nothing to do, a lost race, is fine).
                let unaudited = written.entries.isEmpty ? try await changes?.changedAny(on: db) ?? false : false
                return (result, unaudited)
            }
            if counted {
                storage[CommittedWritesKey.self]?.withLockedValue { $0 += 1 }
                if unaudited { storage[UnauditedWritesKey.self]?.withLockedValue { $0.append(source) } }
                dataVersion.committed()
            }
            await gate.release()
            return result
        } catch {
            await gate.release()
            throw error
        }
    }
}

/// Whether a transaction changed any row: SQLite counts the connection's changes (read at the start and at the end),
/// PostgreSQL has given the transaction an id only once it wrote.
struct RowChanges: Sendable {
    private struct Count: Decodable { let n: Int64 }
    private struct Assigned: Decodable { let assigned: Bool }
    let sqliteStart: Int64?

    static func start(on db: any Database) async throws -> RowChanges {
        guard let sql = db as? any SQLDatabase, sql.dialect.name == "sqlite" else { return RowChanges(sqliteStart: nil) }
        return RowChanges(sqliteStart: try await sql.raw("SELECT total_changes() AS n").first(decoding: Count.self)?.n)
    }

    func changedAny(on db: any Database) async throws -> Bool {
        guard let sql = db as? any SQLDatabase else { return false }
        if let sqliteStart {
            return (try await sql.raw("SELECT total_changes() AS n").first(decoding: Count.self)?.n ?? sqliteStart) != sqliteStart
        }
        guard sql.dialect.name == "postgresql" else { return false }
        return try await sql.raw("SELECT txid_current_if_assigned() IS NOT NULL AS assigned").first(decoding: Assigned.self)?.assigned ?? false
    }
}

extension Request {
    func write<T: Sendable>(counted: Bool = true, _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        try await application.write(counted: counted, by: "\(method) \(route.map { "/" + $0.path.map(\.description).joined(separator: "/") } ?? url.path)", body)
    }

    /// A versioned edit: false, with no transaction opened, when the form was opened at another version than the
    /// record has (the usual stale edit); otherwise `body`, whose `VersionClaim` still catches an edit landing between.
    func write(version current: Int, expected: Int, _ body: @escaping @Sendable (any Database) async throws -> Bool) async throws -> Bool {
        guard current == expected else { return false }
        return try await write(body)
    }
}

/// Fluent's session store, with its writes taking their turn at the write gate: a session saved
/// after one request (a flash message, a sign-in) must not collide on SQLite with another
/// request's transaction.
struct GatedSessionDriver: AsyncSessionDriver {
    let inner: any SessionDriver

    private func gated<T: Sendable>(_ request: Request, _ body: () async throws -> T) async throws -> T {
        let gate = request.application.writeGate
        await gate.acquire()
        do {
            let result = try await body()
            await gate.release()
            return result
        } catch {
            await gate.release()
            throw error
        }
    }

    func createSession(_ data: SessionData, for request: Request) async throws -> SessionID {
        try await gated(request) { try await inner.createSession(data, for: request).get() }
    }

    func readSession(_ sessionID: SessionID, for request: Request) async throws -> SessionData? {
        try await inner.readSession(sessionID, for: request).get()
    }

    func updateSession(_ sessionID: SessionID, to data: SessionData, for request: Request) async throws -> SessionID {
        try await gated(request) { try await inner.updateSession(sessionID, to: data, for: request).get() }
    }

    func deleteSession(_ sessionID: SessionID, for request: Request) async throws {
        try await gated(request) { try await inner.deleteSession(sessionID, for: request).get() }
    }
}
