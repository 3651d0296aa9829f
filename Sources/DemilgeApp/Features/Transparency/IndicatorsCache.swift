import Foundation
import Vapor

/// Indicator figures by filter for a minute, at most a few hundred filters: a crawler walking every filter
/// cannot make the server keep more. Every write through `Application.write` clears it, so this instance never
/// shows figures older than its last change; another instance's change shows within the minute.
actor IndicatorsCache {
    static let lifetime: TimeInterval = 60
    static let capacity = 256
    private var entries: [String: (at: Date, figures: IndicatorFigures)] = [:]

    func figures(for key: String, now: Date = Date()) -> IndicatorFigures? {
        guard let entry = entries[key], now.timeIntervalSince(entry.at) < Self.lifetime else { return nil }
        return entry.figures
    }

    func store(_ figures: IndicatorFigures, for key: String, now: Date = Date()) {
        if entries.count >= Self.capacity { entries = entries.filter { now.timeIntervalSince($0.value.at) < Self.lifetime } }
        if entries.count >= Self.capacity { entries.removeAll() }
        entries[key] = (now, figures)
    }

    func clear() { entries.removeAll() }
}

extension Application {
    private struct IndicatorsCacheKey: StorageKey { typealias Value = IndicatorsCache }

    var indicatorsCache: IndicatorsCache {
        get { storage[IndicatorsCacheKey.self] ?? IndicatorsCache() }
        set { storage[IndicatorsCacheKey.self] = newValue }
    }
}
