import ConsoleKit
import Fluent
import NIOConcurrencyHelpers
import Vapor

/// `demilge migrate`: applies pending migrations without asking.
struct MigrateCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Applies every pending database migration." }

    func run(using context: CommandContext, signature: Signature) async throws {
        try await context.application.autoMigrate()
        try await PlaceFiguresStore.ensureBuilt(context.application)
        context.console.print("Migrations applied.")
    }
}

/// `demilge seed`: migrates and loads the demo data; running it again changes nothing. With `--scale national` (or a
/// fraction such as `--scale 0.01`) it then adds a whole generated country (see `NationalData`), once.
struct SeedCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @ConsoleKit.Option(name: "scale", help: "national, or a fraction of the country such as 0.01: adds generated national data")
        var scale: String?
        @ConsoleKit.Option(name: "seed", help: "the generator's seed (default 1): the same seed and scale give the same data")
        var seed: Int?
    }

    var help: String { "Loads the demo data from the seeds (idempotent); --scale adds a generated country." }

    struct BadScale: Error, CustomStringConvertible {
        let text: String
        var description: String { "--scale must be 'national' or a number in (0, 1], not '\(text)'" }
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        try await context.application.autoMigrate()
        guard let text = signature.scale else {
            let report = try await DemoData.load(into: context.application)
            context.console.print("Demo data: \(report)")
            return
        }
        guard let scale = NationalScale(text) else { throw BadScale(text: text) }
        let bar = ProgressBar()
        let started = Date()
        let report = try await NationalData.load(into: context.application, scale: scale, seed: UInt64(max(0, signature.seed ?? 1)),
                                                 progress: { step, done, total in bar.show(step, done, total) })
        bar.finish()
        context.console.print("National data (scale \(scale)): \(report) in \(Int(Date().timeIntervalSince(started))) s")
    }
}

/// One line on standard error, rewritten as a step advances: `ballots ██████░░░░  61 %  612 000 / 1 000 000`.
final class ProgressBar: Sendable {
    private let last = NIOLockedValueBox<(step: String, percent: Int)>(("", -1))

    func show(_ step: String, _ done: Int, _ total: Int) {
        let percent = total > 0 ? min(100, done * 100 / total) : 100
        let changed = last.withLockedValue { state -> Bool in
            guard state.step != step || state.percent != percent else { return false }
            if state.step != step && !state.step.isEmpty { FileHandle.standardError.write(Data("\n".utf8)) }
            state = (step, percent)
            return true
        }
        guard changed else { return }
        let filled = percent / 5
        let line = "\r\(step.padding(toLength: 20, withPad: " ", startingAt: 0)) \(String(repeating: "█", count: filled))\(String(repeating: "░", count: 20 - filled)) \(String(format: "%3d", percent)) %  \(done) / \(total)"
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() { FileHandle.standardError.write(Data("\n".utf8)) }
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

/// `demilge figures rebuild`: every place's stored figures computed afresh from its records (after a repair made
/// directly in the database; the site keeps them current by itself).
struct FiguresCommandGroup: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] { ["rebuild": FiguresRebuildCommand()] }
    var help: String { "Each place's stored figures (indicators and portals)." }
}

struct FiguresRebuildCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Computes every place's figures afresh from its records." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let bar = ProgressBar()
        try await PlaceFiguresStore.rebuildAll(on: context.application.db) { done, total in bar.show("figures", done, total) }
        bar.finish()
        context.console.print("Figures rebuilt.")
    }
}
