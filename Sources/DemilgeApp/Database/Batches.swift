import Fluent

extension Array {
    /// Consecutive runs of at most `size` elements: one statement binds only so many values.
    func chunks(of size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}

extension Array where Element: Model {
    /// Inserts the rows a few hundred to a statement (a city's ballots or roll are too many for one).
    func create(on db: any Database, batchesOf size: Int) async throws {
        for chunk in chunks(of: size) { try await Array(chunk).create(on: db) }
    }
}
