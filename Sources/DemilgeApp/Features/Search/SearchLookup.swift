import DemilgeCore
import Fluent
import Foundation
import SQLKit

/// The entries that hold, for every word of a query, one of its keys as a whole key: read through the full-text
/// index of `M021_SearchFullText` (FTS5 on SQLite, a GIN tsvector on PostgreSQL), never by reading every entry.
enum SearchLookup {
    /// At most `limit` entries (any order: the page ranks them), of one type when `type` is not empty.
    static func entries(_ words: [Set<String>], fold: Bool, type: String, limit: Int, on db: any Database) async throws -> [SearchEntry] {
        let words = words.map { $0.filter(isKey) }.filter { !$0.isEmpty }
        guard !words.isEmpty, let sql = db as? any SQLDatabase else { return [] }
        let column = fold ? "folded_keys" : "keys"
        var query: SQLQueryString
        if sql.dialect.name == "sqlite" {
            // (keys : ("k1" OR "k2")) AND (keys : ("k3"))
            let match = words.map { keys in "(\(column) : (" + keys.sorted().map { "\"\($0)\"" }.joined(separator: " OR ") + "))" }
                .joined(separator: " AND ")
            query = "SELECT e.id AS id FROM search_fts JOIN search_entries e ON e.rowid = search_fts.rowid WHERE search_fts MATCH \(bind: match)"
        } else {
            // ('k1' | 'k2') & ('k3')
            let tsquery = words.map { keys in "(" + keys.sorted().map { "'\($0)'" }.joined(separator: " | ") + ")" }.joined(separator: " & ")
            query = "SELECT e.id AS id FROM search_entries e WHERE to_tsvector('simple', e.\(unsafeRaw: column)) @@ to_tsquery('simple', \(bind: tsquery))"
        }
        if !type.isEmpty { query.appendLiteral(" AND e.entity_type = "); query.appendInterpolation(bind: type) }
        query.appendLiteral(" LIMIT \(limit)")
        struct Row: Decodable { let id: UUID }
        let ids = try await sql.raw(query).all(decoding: Row.self).map(\.id)
        guard !ids.isEmpty else { return [] }
        return try await SearchEntry.query(on: db).filter(\.$id ~~ ids).all()
    }

    /// Keys are letters and digits only (`KyrgyzStemmer.words`); anything else could not be in the index, and
    /// must never reach a query's syntax.
    static func isKey(_ key: String) -> Bool {
        !key.isEmpty && key.count <= 100 && key.allSatisfy { $0.isLetter || $0.isNumber }
    }
}
