import Vapor

/// How many connections this instance may hold open to its database, and the name it gives them on PostgreSQL
/// (`application_name`) so that `/metrics` can count its own among every instance's connections.
struct DatabasePool: Sendable {
    /// `DEMILGE_DB_CONNECTIONS_PER_LOOP` (1–16; 1 unless set). PostgreSQL only: SQLite's driver keeps one per loop.
    let perLoop: Int
    let loops: Int
    let applicationName: String

    var capacity: Int { perLoop * loops }

    static func make(for selection: DatabaseSelection, loops: Int) -> DatabasePool {
        let asked = Environment.get("DEMILGE_DB_CONNECTIONS_PER_LOOP").flatMap { Int($0) }.map { min(max($0, 1), 16) } ?? 1
        let tag = String(UInt32.random(in: .min ... .max), radix: 16)
        return DatabasePool(perLoop: selection.isPostgres ? asked : 1, loops: max(loops, 1),
                            applicationName: "demilge-\(ProcessInfo.processInfo.processIdentifier)-\(tag)")
    }
}

extension Application {
    private struct DatabasePoolKey: StorageKey { typealias Value = DatabasePool }

    var databasePool: DatabasePool? {
        get { storage[DatabasePoolKey.self] }
        set { storage[DatabasePoolKey.self] = newValue }
    }
}
