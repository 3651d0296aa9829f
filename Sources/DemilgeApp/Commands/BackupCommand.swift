import Fluent
import Foundation
import SQLKit
import Vapor

/// `demilge backup FILE` and `demilge restore FILE`: the whole database as one file. On SQLite an online backup
/// (`VACUUM INTO`: a consistent copy while the server keeps serving); on PostgreSQL `pg_dump -Fc` and `pg_restore`
/// (Debian's `postgresql-client`). A restore replaces everything in the configured database: stop the instances
/// first (deploy/README.md).
enum Backup {
    struct Failed: Error, CustomStringConvertible { let description: String }

    /// A `postgres://` address as libpq's tools read it (`tlsmode=` is the Swift driver's spelling of `sslmode=`).
    static func libpq(_ url: String) -> String {
        guard var components = URLComponents(string: url) else { return url }
        components.queryItems = components.queryItems?.map { item in
            item.name == "tlsmode" ? URLQueryItem(name: "sslmode", value: item.value == "disable" ? "disable" : "require") : item
        }
        if components.queryItems?.isEmpty == true { components.queryItems = nil }
        return components.string ?? url
    }

    static func run(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        process.waitUntilExit()
        let said = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard process.terminationStatus == 0 else { throw Failed(description: "\(tool) failed: \(said)") }
    }
}

struct BackupCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file", help: "Where to write the backup (it must not exist yet).")
        var file: String
    }

    var help: String { "Writes the whole database to FILE: an SQLite online backup, or pg_dump's custom format." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard !FileManager.default.fileExists(atPath: signature.file) else { throw Backup.Failed(description: "\(signature.file) already exists") }
        switch DatabaseSelection.fromEnvironment() {
        case .postgres(let url):
            try Backup.run("pg_dump", ["--format=custom", "--no-owner", "--file", signature.file, Backup.libpq(url)])
        case .sqliteFile, .sqliteMemory:
            guard let sql = context.application.db as? any SQLDatabase else { return }
            try await sql.raw("VACUUM INTO \(bind: signature.file)").run()
        }
        context.console.print("Backed up to \(signature.file).")
    }
}

struct RestoreCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file", help: "A file written by `demilge backup`.")
        var file: String
    }

    var help: String { "Replaces the whole database with the backup in FILE (stop every instance first)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard FileManager.default.fileExists(atPath: signature.file) else { throw Backup.Failed(description: "\(signature.file) not found") }
        switch DatabaseSelection.fromEnvironment() {
        case .postgres(let url):
            guard let sql = context.application.db as? any SQLDatabase else { return }
            try await sql.raw("DROP SCHEMA public CASCADE").run()
            try await sql.raw("CREATE SCHEMA public").run()
            try Backup.run("pg_restore", ["--no-owner", "--exit-on-error", "--dbname", Backup.libpq(url), signature.file])
        case .sqliteFile(let path):
            // The file is copied beside the database, then renamed over it in one step, with the old write-ahead
            // log removed (it belongs to the replaced file). This command never opens the database itself.
            let files = FileManager.default
            let staged = path + ".restoring"
            try? files.removeItem(atPath: staged)
            try files.copyItem(atPath: signature.file, toPath: staged)
            for suffix in ["-wal", "-shm"] { try? files.removeItem(atPath: path + suffix) }
            guard rename(staged, path) == 0 else { throw Backup.Failed(description: "cannot replace \(path)") }
        case .sqliteMemory:
            throw Backup.Failed(description: "nothing to restore into: the database is in memory")
        }
        context.console.print("Restored from \(signature.file).")
    }
}
