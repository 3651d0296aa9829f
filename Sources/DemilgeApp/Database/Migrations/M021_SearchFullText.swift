import Fluent
import SQLKit

/// Search reads an index instead of every entry: `LIKE '% key %'` read all of `search_entries` for every query (a
/// national site holds 130,000 entries). The keys are already Kyrgyz and Russian stems between spaces
/// (`SearchKeys`), so the full-text index only has to split on the spaces: SQLite's FTS5 (an external-content
/// table kept in step by triggers) and PostgreSQL's GIN index on the keys as a `simple` tsvector.
struct M021_SearchFullText: AsyncMigration {
    static let sqliteTriggers = [
        """
        CREATE TRIGGER search_entries_fts_insert AFTER INSERT ON search_entries BEGIN
          INSERT INTO search_fts(rowid, keys, folded_keys) VALUES (new.rowid, new.keys, new.folded_keys);
        END
        """,
        """
        CREATE TRIGGER search_entries_fts_delete AFTER DELETE ON search_entries BEGIN
          INSERT INTO search_fts(search_fts, rowid, keys, folded_keys) VALUES ('delete', old.rowid, old.keys, old.folded_keys);
        END
        """,
        """
        CREATE TRIGGER search_entries_fts_update AFTER UPDATE ON search_entries BEGIN
          INSERT INTO search_fts(search_fts, rowid, keys, folded_keys) VALUES ('delete', old.rowid, old.keys, old.folded_keys);
          INSERT INTO search_fts(rowid, keys, folded_keys) VALUES (new.rowid, new.keys, new.folded_keys);
        END
        """,
    ]

    func prepare(on database: Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        if sql.dialect.name == "sqlite" {
            // No diacritics removed: й is not и, and ө, ү, ң are kept (the folded column holds о, у, н).
            try await sql.raw("""
                CREATE VIRTUAL TABLE search_fts USING fts5(keys, folded_keys, content='search_entries', content_rowid='rowid',
                  tokenize = 'unicode61 remove_diacritics 0')
                """).run()
            for trigger in Self.sqliteTriggers { try await sql.raw(SQLQueryString(trigger)).run() }
            try await sql.raw("INSERT INTO search_fts(search_fts) VALUES ('rebuild')").run()
        } else {
            try await sql.raw("CREATE INDEX ix_search_entries_keys_fts ON search_entries USING gin (to_tsvector('simple', keys))").run()
            try await sql.raw("CREATE INDEX ix_search_entries_folded_keys_fts ON search_entries USING gin (to_tsvector('simple', folded_keys))").run()
        }
    }

    func revert(on database: Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        if sql.dialect.name == "sqlite" {
            for name in ["insert", "delete", "update"] { try await sql.raw("DROP TRIGGER IF EXISTS search_entries_fts_\(unsafeRaw: name)").run() }
            try await sql.raw("DROP TABLE IF EXISTS search_fts").run()
        } else {
            try await sql.raw("DROP INDEX IF EXISTS ix_search_entries_keys_fts").run()
            try await sql.raw("DROP INDEX IF EXISTS ix_search_entries_folded_keys_fts").run()
        }
    }
}
