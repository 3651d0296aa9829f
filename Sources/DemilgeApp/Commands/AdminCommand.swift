import ConsoleKit
import DemilgeCore
import Fluent
import SQLKit
import Vapor

/// `demilge admin create EMAIL [--name NAME]`: the first administrator of an installation (or another one). The
/// password comes from `DEMILGE_ADMIN_PASSWORD`, else from a prompt that does not echo it.
struct AdminCommandGroup: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] { ["create": AdminCreateCommand()] }
    var help: String { "Administrator accounts." }
}

struct AdminCreateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "email", help: "the administrator's e-mail address")
        var email: String
        @ConsoleKit.Option(name: "name", help: "the name shown for the account (default: Администратор)")
        var name: String?
    }

    var help: String { "Creates an administrator; the password comes from DEMILGE_ADMIN_PASSWORD or a prompt." }

    struct Refused: Error, CustomStringConvertible { let description: String }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        guard let email = EmailAddress.normalised(signature.email) else { throw Refused(description: "not an e-mail address: \(signature.email)") }
        let password = Environment.get("DEMILGE_ADMIN_PASSWORD") ?? context.console.ask("Password (at least 10 characters)", isSecure: true)
        guard password.count >= 10, password.utf8.count <= 72 else { throw Refused(description: "the password must be 10 to 72 bytes long") }
        guard password != DemoAccounts.password else { throw Refused(description: "that is the demo password") }
        let hash = try await app.password.async.hash(password).get()
        let name = signature.name.map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : String($0.prefix(100)) } ?? "Администратор"
        try await app.write { db in
            guard try await User.query(on: db).filter(\.$email == email).first() == nil else {
                throw Refused(description: "an account with \(email) exists already")
            }
            let user = User(email: email, displayName: name, passwordHash: hash)
            // Whoever runs the command on the server vouches for the address.
            user.emailConfirmedMillis = Date().millis
            try await user.create(on: db)
            let assignment = RoleAssignment(userID: try user.requireID(), grant: RoleGrant(.administrator, .global))
            try await assignment.create(on: db)
            try await AuditLog.record(on: db, by: .system("admin-create"), action: "user.create", entityType: "user",
                                      entityID: user.idString, after: user.snapshot)
            try await AuditLog.record(on: db, by: .system("admin-create"), action: "role.grant", entityType: "user",
                                      entityID: user.idString, after: assignment.snapshot)
        }
        context.console.print("Administrator \(email) created.")
    }
}

/// The demo accounts' shared password, and production mode (`DEMILGE_ENV=production`), in which the server loads no
/// demo data and will not start while any account can still be opened with that password.
enum DemoAccounts {
    static var password: String { Environment.get("DEMILGE_DEMO_PASSWORD") ?? "demilge-demo" }
    static var isProduction: Bool { Environment.get("DEMILGE_ENV") == "production" }

    /// Accounts that still open with the demo password. Only hashes that could be the demo's are tried: the demo
    /// and generated accounts share one hash, while a real person's hash is salted and unique.
    static func stillOpen(on db: any Database, verify: (String) async throws -> Bool) async throws -> [String] {
        guard let sql = db as? any SQLDatabase else { return [] }
        struct Row: Decodable { let password_hash: String }
        let shared = try await sql.raw("""
            SELECT password_hash FROM users GROUP BY password_hash HAVING COUNT(*) > 1
            UNION SELECT password_hash FROM users WHERE email LIKE '%@demilge.kg'
            """).all(decoding: Row.self)
        var open: [String] = []
        for row in shared where try await verify(row.password_hash) {
            let emails = try await User.query(on: db).filter(\.$passwordHash == row.password_hash).limit(5).all().map(\.email)
            open.append(contentsOf: emails)
        }
        return open
    }

    struct StillOpen: Error, CustomStringConvertible {
        let emails: [String]
        var description: String {
            "DEMILGE_ENV=production, but accounts still open with the demo password (\(emails.prefix(5).joined(separator: ", "))…): " +
                "change their passwords or disable them, and create an administrator with `demilge admin create EMAIL`."
        }
    }
}
