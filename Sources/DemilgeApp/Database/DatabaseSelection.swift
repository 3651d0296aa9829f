import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Vapor

/// Where Demilge keeps its data: an SQLite file (the default), SQLite in memory (tests), or PostgreSQL.
public enum DatabaseSelection: Sendable, Equatable {
    case sqliteFile(String)
    case sqliteMemory
    case postgres(String)

    /// `DATABASE_URL=postgres://…` selects PostgreSQL; otherwise the SQLite file at
    /// `DEMILGE_SQLITE` (default `./demilge.sqlite`).
    public static func fromEnvironment() -> DatabaseSelection {
        if let url = Environment.get("DATABASE_URL"), !url.isEmpty { return .postgres(url) }
        return .sqliteFile(Environment.get("DEMILGE_SQLITE") ?? "demilge.sqlite")
    }

    public var isPostgres: Bool { if case .postgres = self { true } else { false } }

    func install(on app: Application) throws {
        switch self {
        case .sqliteFile(let path):
            app.databases.use(.sqlite(.file(path)), as: .sqlite)
        case .sqliteMemory:
            app.databases.use(.sqlite(.memory), as: .sqlite)
        case .postgres(let url):
            app.databases.use(try .postgres(url: url), as: .psql)
        }
    }
}
