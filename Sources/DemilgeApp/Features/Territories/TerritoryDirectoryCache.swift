import DemilgeCore
import Fluent
import SQLKit
import Vapor

/// The territories change rarely (an administrator's edit, an import) and almost every page walks them, so each
/// instance keeps one directory, with its place pickers sorted once per language, and reloads it when the table's
/// fingerprint changes. The fingerprint is read again only when the data version has moved since it was last read
/// (every edit of a territory is an audited write): an edit on any instance shows as soon as that instance's version
/// moves, and a page read while nothing changed costs no query for it.
actor TerritoryDirectoryCache {
    /// The number of territories, the sum of their versions and their latest update time: every create adds a row,
    /// every edit raises a version and sets the time (territories are never deleted: everything refers to them).
    struct Fingerprint: Equatable, Decodable {
        let count: Int64
        let versions: Int64
        let updated: String?

        static func read(on db: any Database) async throws -> Fingerprint? {
            guard let sql = db as? any SQLDatabase else { return nil }
            // PostgreSQL sums a bigint as numeric: cast back, so both databases answer the same types.
            return try await sql.raw("""
                SELECT COUNT(*) AS count, CAST(COALESCE(SUM(version), 0) AS BIGINT) AS versions,
                       CAST(MAX(updated_at) AS TEXT) AS updated FROM territories
                """)
                .first(decoding: Fingerprint.self)
        }
    }

    struct PickerKey: Hashable { let language: Language; let includeTopLevel: Bool }

    private var fingerprint: Fingerprint?
    private var directory: TerritoryDirectory?
    private var pickers: [PickerKey: [PlaceGroup]] = [:]

    private var loading: (fingerprint: Fingerprint?, task: Task<TerritoryDirectory, any Error>)?
    /// The data version at which the fingerprint was last read and matched.
    private var checkedAt: DataVersion.Stamp?

    func directory(on db: any Database, at version: DataVersion.Stamp? = nil) async throws -> TerritoryDirectory {
        if let directory, let version, version == checkedAt { return directory }
        let current = try await Fingerprint.read(on: db)
        defer { if current == fingerprint { checkedAt = version } }
        if let directory, let current, current == fingerprint { return directory }
        // After an edit, the requests arriving together share one reload.
        if let loading, loading.fingerprint == current { return try await loading.task.value }
        let task = Task { try await TerritoryDirectory.load(on: db) }
        loading = (current, task)
        defer { if loading?.fingerprint == current { loading = nil } }
        let loaded = try await task.value
        if current != fingerprint { pickers = [:] }
        fingerprint = current
        directory = loaded
        return loaded
    }

    /// The full place picker (nothing selected) for one language, sorted once per version of the territories.
    func picker(_ key: PickerKey, on db: any Database, at version: DataVersion.Stamp? = nil) async throws -> [PlaceGroup] {
        let directory = try await directory(on: db, at: version)
        if let cached = pickers[key] { return cached }
        let groups = PlaceGroup.all(directory, key.language, includeTopLevel: key.includeTopLevel)
        pickers[key] = groups
        return groups
    }
}

extension Application {
    private struct TerritoryDirectoryCacheKey: StorageKey { typealias Value = TerritoryDirectoryCache }

    var territoryCache: TerritoryDirectoryCache {
        get { storage[TerritoryDirectoryCacheKey.self] ?? TerritoryDirectoryCache() }
        set { storage[TerritoryDirectoryCacheKey.self] = newValue }
    }
}

extension Request {
    private struct TerritoryDirectoryKey: StorageKey { typealias Value = TerritoryDirectory }

    /// Every territory, from this instance's cache (current with the database), checked once per request.
    func territoryDirectory() async throws -> TerritoryDirectory {
        if let directory = storage[TerritoryDirectoryKey.self] { return directory }
        let directory = try await application.territoryCache.directory(on: db, at: application.dataVersion.current)
        storage[TerritoryDirectoryKey.self] = directory
        return directory
    }
}
