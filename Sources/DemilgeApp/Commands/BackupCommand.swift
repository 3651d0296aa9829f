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

    /// A `postgres://` address as libpq's tools read it, without its password (which goes in `PGPASSWORD`, not on
    /// a command line any local user can read); `tlsmode=` is the Swift driver's spelling of `sslmode=`.
    static func libpq(_ url: String) -> (url: String, password: String?) {
        guard var components = URLComponents(string: url) else { return (url, nil) }
        let password = components.password
        components.password = nil
        components.queryItems = components.queryItems?.map { item in
            item.name == "tlsmode" ? URLQueryItem(name: "sslmode", value: item.value == "disable" ? "disable" : "require") : item
        }
        if components.queryItems?.isEmpty == true { components.queryItems = nil }
        return (components.string ?? url, password)
    }

    /// Runs a shell line with `arguments` as $1, $2…, the database password in the environment.
    static func shell(_ line: String, _ arguments: [String], password: String?) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", "set -euo pipefail; " + line, "demilge"] + arguments
        var environment = ProcessInfo.processInfo.environment
        if let password { environment["PGPASSWORD"] = password }
        process.environment = environment
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let said = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw Failed(description: said.isEmpty ? "\(line) failed" : said) }
    }

    /// A backup holds password hashes and sessions: only its owner may read it.
    static func restrict(_ path: String) throws {
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
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
            let target = Backup.libpq(url)
            try Backup.shell(#"umask 077; pg_dump --format=custom --no-owner --file "$1" "$2""#, [signature.file, target.url], password: target.password)
        case .sqliteFile, .sqliteMemory:
            guard let sql = context.application.db as? any SQLDatabase else { return }
            try await sql.raw("VACUUM INTO \(bind: signature.file)").run()
        }
        try Backup.restrict(signature.file)
        context.console.print("Backed up to \(signature.file).")
    }
}

struct RestoreCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file", help: "A file written by `demilge backup`.")
        var file: String
        @Flag(name: "confirm", help: "Confirms that the whole database is to be replaced.")
        var confirm: Bool
    }

    var help: String { "Replaces the whole database with the backup in FILE (stop every instance first; needs --confirm)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let files = FileManager.default
        guard files.fileExists(atPath: signature.file) else { throw Backup.Failed(description: "\(signature.file) not found") }
        guard signature.confirm else { throw Backup.Failed(description: "restore replaces the whole database: run it again with --confirm") }
        switch DatabaseSelection.fromEnvironment() {
        case .postgres(let url):
            // The archive is read whole first; then the old schema goes and the backup comes in one transaction:
            // a bad file leaves the database as it was.
            let target = Backup.libpq(url)
            try Backup.shell(#"pg_restore --list "$1" > /dev/null"#, [signature.file], password: nil)
            try Backup.shell(#"pg_restore --no-owner --file - "$1" | psql --quiet --no-psqlrc --single-transaction -v ON_ERROR_STOP=1 "#
                             + #"-c 'DROP SCHEMA public CASCADE' -c 'CREATE SCHEMA public' -f - "$2" > /dev/null"#,
                             [signature.file, target.url], password: target.password)
        case .sqliteFile(let path):
            // This command never opens the database. A write-ahead log beside it means an instance has it open
            // (or stopped without closing it): replacing the file then would lose that instance's writes.
            guard !files.fileExists(atPath: path + "-shm"), !files.fileExists(atPath: path + "-wal") else {
                throw Backup.Failed(description: "\(path) is in use (its -wal/-shm files exist): stop every instance first")
            }
            guard let header = FileHandle(forReadingAtPath: signature.file)?.readData(ofLength: 16), header == Data("SQLite format 3\u{0}".utf8) else {
                throw Backup.Failed(description: "\(signature.file) is not an SQLite backup")
            }
            let staged = path + ".restoring"
            try? files.removeItem(atPath: staged)
            try files.copyItem(atPath: signature.file, toPath: staged)
            try Backup.restrict(staged)
            guard rename(staged, path) == 0 else { throw Backup.Failed(description: "cannot replace \(path)") }
        case .sqliteMemory:
            throw Backup.Failed(description: "nothing to restore into: the database is in memory")
        }
        context.console.print("Restored from \(signature.file).")
    }
}
