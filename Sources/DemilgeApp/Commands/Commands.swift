import Fluent
import Vapor

/// `demilge migrate`: applies pending migrations without asking.
struct MigrateCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Applies every pending database migration." }

    func run(using context: CommandContext, signature: Signature) async throws {
        try await context.application.autoMigrate()
        context.console.print("Migrations applied.")
    }
}

/// `demilge seed`: migrates and loads the demo data; running it again changes nothing.
struct SeedCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Loads the demo data from the seeds (idempotent)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        try await context.application.autoMigrate()
        let report = try await DemoData.load(into: context.application)
        context.console.print("Demo data: \(report)")
    }
}

/// `demilge audit verify`: checks the hash chain of the audit log.
struct AuditCommandGroup: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] { ["verify": AuditVerifyCommand()] }
    var help: String { "Audit log tools." }
}

struct AuditVerifyCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Verifies the audit log's hash chain; exits non-zero if it was tampered with." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let result = try await AuditLog.verify(on: context.application.db)
        if let breach = result.breach {
            context.console.error("Audit chain BROKEN after checking \(result.count) entries: \(breach)")
            throw AuditChainBroken()
        }
        context.console.print("Audit chain intact: \(result.count) entries.")
    }
}

struct AuditChainBroken: Error, CustomStringConvertible {
    var description: String { "audit chain broken" }
}
