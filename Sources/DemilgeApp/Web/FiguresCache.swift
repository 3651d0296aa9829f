import Foundation
import Vapor

/// Figures derived from many records (the indicators over a period), kept for a minute and at most a
/// few hundred keys: a crawler walking every filter cannot make the server keep more. Every write through
/// `Application.write` clears them, so this instance never shows figures older than its last change; another
/// instance's change shows within the minute. Requests for the same key at the same time share one computation,
/// so a burst of readers costs one pass over the data.
actor FiguresCache<Key: Hashable & Sendable, Value: Sendable> {
    static var lifetime: TimeInterval { 60 }
    static var capacity: Int { 256 }
    private var entries: [Key: (at: Date, value: Value)] = [:]
    private var running: [Key: (generation: Int, task: Task<Value, any Error>)] = [:]
    /// Raised by every clear: a computation started before a write does not store its figures after it.
    private var generation = 0

    private func cached(_ key: Key, now: Date = Date()) -> Value? {
        guard let entry = entries[key], now.timeIntervalSince(entry.at) < Self.lifetime else { return nil }
        return entry.value
    }

    private func store(_ value: Value, for key: Key, now: Date = Date()) {
        if entries.count >= Self.capacity { entries = entries.filter { now.timeIntervalSince($0.value.at) < Self.lifetime } }
        // Still full of fresh entries (a crawler walking filters): the oldest goes, the popular ones stay.
        if entries.count >= Self.capacity, let oldest = entries.min(by: { $0.value.at < $1.value.at })?.key { entries[oldest] = nil }
        entries[key] = (now, value)
    }

    /// The cached value, or the value of the one computation running for this key (started here if none is).
    func figures(for key: Key, compute: @escaping @Sendable () async throws -> Value) async throws -> Value {
        if let cached = cached(key) { return cached }
        if let current = running[key], current.generation == generation { return try await current.task.value }
        let started = generation
        let task = Task { try await compute() }
        running[key] = (started, task)
        defer { if running[key]?.generation == started { running[key] = nil } }
        let value = try await task.value
        if started == generation { store(value, for: key) }
        return value
    }

    func clear() {
        entries.removeAll()
        generation &+= 1
    }
}

typealias IndicatorsCache = FiguresCache<String, IndicatorFigures>

extension Application {
    private struct IndicatorsCacheKey: StorageKey { typealias Value = IndicatorsCache }

    var indicatorsCache: IndicatorsCache {
        get { storage[IndicatorsCacheKey.self] ?? IndicatorsCache() }
        set { storage[IndicatorsCacheKey.self] = newValue }
    }

    /// After a write: no cached figure may be older than it.
    func clearFigures() async {
        await indicatorsCache.clear()
    }
}
