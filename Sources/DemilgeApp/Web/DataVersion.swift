import NIOConcurrencyHelpers
import NIOCore
import Fluent
import SQLKit
import Vapor

/// Which version of the public data this instance has seen: the latest audit entry in the database (every change of
/// public data writes one, on any instance) and this instance's own writes. A cached page is current while the
/// version it was made at is the current one (`PageCache`).
///
/// This instance's writes count the moment they commit (`Application.write`); another instance's as soon as the
/// watcher reads the audit chain's head, every `DataVersion.interval`.
final class DataVersion: Sendable {
    struct Stamp: Hashable, Sendable {
        var audit: Int64
        var local: Int64
    }

    static let interval: TimeAmount = .milliseconds(250)
    private let stamp = NIOLockedValueBox(Stamp(audit: 0, local: 0))

    var current: Stamp { stamp.withLockedValue { $0 } }

    /// After a write of this instance has committed.
    func committed() { stamp.withLockedValue { $0.local &+= 1 } }

    func observe(audit: Int64) { stamp.withLockedValue { $0.audit = audit } }

    /// The audit chain's head: one read of the primary key's last entry.
    static func auditHead(on db: any Database) async throws -> Int64 {
        guard let sql = db as? any SQLDatabase else { return 0 }
        struct Head: Decodable { let head: Int64 }
        return try await sql.raw("SELECT CAST(COALESCE(MAX(sequence), 0) AS BIGINT) AS head FROM audit_entries")
            .first(decoding: Head.self)?.head ?? 0
    }
}

extension Application {
    private struct DataVersionKey: StorageKey { typealias Value = DataVersion }

    var dataVersion: DataVersion {
        get { storage[DataVersionKey.self] ?? DataVersion() }
        set { storage[DataVersionKey.self] = newValue }
    }
}

/// Reads the audit chain's head while the application runs, so writes of other instances (and of `demilge`
/// commands) reach this instance's caches.
struct DataVersionWatcher: LifecycleHandler {
    private let task = NIOLockedValueBox<RepeatedTask?>(nil)

    func didBoot(_ app: Application) throws {
        let version = app.dataVersion
        // Taken once: after shutdown the application has no databases to look up, and a read under way then fails.
        let db = app.db
        let loop = app.eventLoopGroup.next()
        let repeated = loop.scheduleRepeatedAsyncTask(initialDelay: .zero, delay: DataVersion.interval) { _ in
            loop.makeFutureWithTask {
                // A database that does not answer now (a restart, a failover) is read again at the next tick.
                if let head = try? await DataVersion.auditHead(on: db) { version.observe(audit: head) }
            }
        }
        task.withLockedValue { $0 = repeated }
    }

    func shutdown(_ app: Application) {
        task.withLockedValue { $0?.cancel(); $0 = nil }
    }
}
