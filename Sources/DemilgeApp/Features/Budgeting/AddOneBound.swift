import DemilgeCore
import Vapor

extension Application {
    private struct AddOneBoundKey: StorageKey { typealias Value = Int }

    /// The work add-one may take when a round is counted (`RoundResult.maximumAddOneRuns`). Tests lower it to reach
    /// the refusal: since add-one skips the units that cannot change its outcome, no small file needs that much.
    var maximumAddOneRuns: Int {
        get { storage[AddOneBoundKey.self] ?? RoundResult.maximumAddOneRuns }
        set { storage[AddOneBoundKey.self] = newValue }
    }
}
