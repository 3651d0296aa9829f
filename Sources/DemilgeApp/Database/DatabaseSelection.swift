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
        let pool = DatabasePool.make(for: self, loops: Array(app.eventLoopGroup.makeIterator()).count)
        app.databasePool = pool
        switch self {
        case .sqliteFile(let path):
            app.databases.use(.sqlite(.file(path)), as: .sqlite)
        case .sqliteMemory:
            app.databases.use(.sqlite(.memory), as: .sqlite)
        case .postgres(let url):
            var configuration = try SQLPostgresConfiguration(url: url)
            configuration.coreConfiguration.options.additionalStartupParameters.append(("application_name", pool.applicationName))
            app.databases.use(.postgres(configuration: configuration, maxConnectionsPerEventLoop: pool.perLoop), as: .psql)
        }
    }
}
