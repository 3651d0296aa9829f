import DemilgeCore
import Fluent
import Vapor

/// This instance's copy of every place's stored figures, so that a view adds up figures in memory instead of
/// reading and decoding a row per place (the country has a few thousand places).
///
/// It follows the audit chain as the writes do: when the data version has moved, it reads the audit entries after
/// the last one it saw and reloads the rows of the places they name (the same places the writes recomputed, in the
/// same transactions as those entries). Everything is read again at first use, after a long gap in the chain, and
/// every `fullReload` (a repair made past the site, such as `demilge figures rebuild` run by hand, shows then).
actor PlaceFiguresMirror {
    static let fullReload: TimeInterval = 300
    static let largestStep = 5_000

    private var figures: [UUID: PlaceFigures] = [:]
    private var auditSeen: Int64?
    private var loadedAt = Date.distantPast
    private var version: DataVersion.Stamp?
    private var refreshing: Task<Void, any Error>?
    /// How many times this copy has read the database to catch up (readers arriving together share one).
    private(set) var stepsTaken = 0

    /// The figures of these places added up (every place when nil), current with `version`; of the records dated
    /// in a period when it is given.
    func sum(_ places: [UUID]?, within period: Period? = nil, at version: DataVersion.Stamp, on db: any Database) async throws -> PlaceFigures {
        try await catchUp(to: version, on: db)
        let chosen: [PlaceFigures] = places.map { $0.compactMap { self.figures[$0] } } ?? Array(figures.values)
        guard let period else { return PlaceFigures.sum(chosen) }
        return PlaceFigures.sum(chosen.lazy.map { $0.within(from: period.from, to: period.to) })
    }

    /// Months from `from` to `to`, either open.
    struct Period: Sendable {
        var from: YearMonth?
        var to: YearMonth?
    }

    private func isCurrent(_ wanted: DataVersion.Stamp) -> Bool {
        guard let version, Date().timeIntervalSince(loadedAt) < Self.fullReload else { return false }
        return version.audit >= wanted.audit && version.local >= wanted.local
    }

    /// One step at a time; readers arriving meanwhile wait for it, then look again. The step's task itself records
    /// what it has seen and lets go, so a reader it wakes finds the state it left.
    private func catchUp(to wanted: DataVersion.Stamp, on db: any Database) async throws {
        while !isCurrent(wanted) {
            if let running = refreshing {
                try await running.value
                continue
            }
            let task = Task { try await self.refresh(covering: wanted, on: db) }
            refreshing = task
            try await task.value
        }
    }

    private func refresh(covering wanted: DataVersion.Stamp, on db: any Database) async throws {
        defer { refreshing = nil }
        try await step(on: db)
        // The step read the database after `wanted` was taken, so it has seen at least that much.
        version = version.map { DataVersion.Stamp(audit: max($0.audit, wanted.audit), local: max($0.local, wanted.local)) } ?? wanted
    }

    private func step(on db: any Database) async throws {
        stepsTaken += 1
        if let seen = auditSeen, Date().timeIntervalSince(loadedAt) < Self.fullReload {
            let entries = try await AuditEntry.query(on: db).filter(\.$id > seen).sort(\.$id).limit(Self.largestStep + 1)
                .field(\.$id).field(\.$action).field(\.$entityType).field(\.$entityID).all()
            if entries.count <= Self.largestStep {
                let places = try await PlaceFiguresStore.placesChanged(by: entries.map { ($0.action, $0.entityType, $0.entityID) }, on: db)
                if !places.isEmpty {
                    let rows = try await PlaceFiguresRecord.query(on: db).filter(\.$id ~~ Array(places)).all()
                    for place in places { figures[place] = nil }
                    for row in rows { if let id = row.id { figures[id] = row.figures.value } }
                }
                auditSeen = entries.last?.id ?? seen
                return
            }
        }
        let head = try await DataVersion.auditHead(on: db)
        let rows = try await PlaceFiguresRecord.query(on: db).all()
        figures = Dictionary(firstValues: rows.compactMap { row in row.id.map { ($0, row.figures.value) } })
        auditSeen = head
        loadedAt = Date()
    }
}

extension Application {
    private struct PlaceFiguresMirrorKey: StorageKey { typealias Value = PlaceFiguresMirror }

    var placeFiguresMirror: PlaceFiguresMirror {
        get { storage[PlaceFiguresMirrorKey.self] ?? PlaceFiguresMirror() }
        set { storage[PlaceFiguresMirrorKey.self] = newValue }
    }
}

extension Request {
    /// The stored figures of these places added up (every place when nil), from this instance's mirror; of the
    /// records dated in a period when it is given.
    func placeFigures(_ places: [UUID]?, within period: PlaceFiguresMirror.Period? = nil) async throws -> PlaceFigures {
        try await application.placeFiguresMirror.sum(places, within: period, at: application.dataVersion.current, on: db)
    }
}
