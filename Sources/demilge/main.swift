import DemilgeApp
import Logging
import Vapor

if let status = PabulibCommand.runIfRequested(CommandLine.arguments) { exit(status) }
if let status = KyrgyzCommand.runIfRequested(CommandLine.arguments) { exit(status) }

var env = try Environment.detect()
if Environment.get("DEMILGE_LOG_FORMAT") == "json" {
    let level = try Logger.Level.detect(from: &env)
    LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: level) }
} else {
    try LoggingSystem.bootstrap(from: &env)
}
let app = try await Application.make(env)
do {
    try await configure(app)
    let command = env.arguments.dropFirst().first { !$0.hasPrefix("-") }
    if command == nil || command == "serve" {
        try await prepareForServing(app)
    }
    try await app.execute()
} catch {
    app.logger.report(error: error)
    try? await app.asyncShutdown()
    exit(1)
}
try await app.asyncShutdown()
