import Foundation
import NIOConcurrencyHelpers

/// The system's mail submission program (`DEMILGE_SENDMAIL`, default `/usr/sbin/sendmail -t -i`, which Debian's
/// `msmtp-mta` or `postfix` provide): the message goes to its standard input, and exit status 0 means accepted.
/// The command is split on spaces (no shell, no quoting).
struct Sendmail: Sendable {
    static let environmentName = "DEMILGE_SENDMAIL"
    static let defaultCommand = "/usr/sbin/sendmail -t -i"

    let command: [String]
    var timeout: TimeInterval = 60

    static func fromEnvironment() -> Sendmail {
        let text = ProcessInfo.processInfo.environment[environmentName].flatMap { $0.isEmpty ? nil : $0 } ?? defaultCommand
        return Sendmail(command: text.split(separator: " ").map(String.init))
    }

    /// A program that exits before reading all of its input must not end this process with SIGPIPE (set once).
    private static let ignoringBrokenPipes: Void = { signal(SIGPIPE, SIG_IGN) }()

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    func send(_ message: String) async throws {
        guard let executable = command.first else { throw Failure(description: "\(Self.environmentName) is empty") }
        _ = Self.ignoringBrokenPipes
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = Array(command.dropFirst())
        let input = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        // Not the server's secrets: only what a mail program needs.
        process.environment = ProcessInfo.processInfo.environment.filter { name, _ in
            ["PATH", "HOME", "LANG", "TMPDIR", "USER", "LOGNAME"].contains(name) || name.hasPrefix("LC_") || name.hasPrefix("MSMTP")
                || name.hasPrefix("SENDMAIL_")
        }
        let said = NIOLockedValueBox(Data())
        let drained = DispatchGroup()
        let timeout = self.timeout
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: Failure(description: "\(executable): \(error)"))
                return
            }
            DispatchQueue.global().async {
                try? input.fileHandleForWriting.write(contentsOf: Data(message.utf8))
                try? input.fileHandleForWriting.close()
            }
            // What it says on stderr is read while it runs (a full pipe would stall it), the first 300 bytes kept.
            DispatchQueue.global().async(group: drained) {
                while let chunk = try? errors.fileHandleForReading.read(upToCount: 4_096), !chunk.isEmpty {
                    said.withLockedValue { if $0.count < 300 { $0.append(chunk.prefix(300 - $0.count)) } }
                }
            }
            // Asked to stop when its time is up, then made to.
            let pid = process.processIdentifier
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { if process.isRunning { process.terminate() } }
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout + 5) { if process.isRunning { kill(pid, SIGKILL) } }
        }
        _ = drained.wait(timeout: .now() + 1)
        guard status == 0 else {
            let text = String(decoding: said.withLockedValue { $0 }, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw Failure(description: "\(executable) exited with \(status)\(text.isEmpty ? "" : ": " + text)")
        }
    }
}
