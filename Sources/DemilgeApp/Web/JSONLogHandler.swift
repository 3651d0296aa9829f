import Foundation
import Logging

/// One JSON object per log line (`DEMILGE_LOG_FORMAT=json`), for a log collector: time, level, message, source and
/// every metadata value — among them the `request-id` Vapor sets on each request's logger.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    let label: String

    public init(label: String, level: Logger.Level) {
        self.label = label
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String,
                    file: String, function: String, line: UInt) {
        var fields: [String: String] = [:]
        for (key, value) in metadata.merging(explicit ?? [:], uniquingKeysWith: { _, new in new }) { fields[key] = "\(value)" }
        fields["time"] = Date().formatted(.iso8601)
        fields["level"] = level.rawValue
        fields["message"] = message.description
        fields["source"] = source
        fields["logger"] = label
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(fields) else { return }
        // `write(_:)` traps when the write fails (a full disk, a closed pipe); a log line is never worth the process.
        try? FileHandle.standardError.write(contentsOf: data + Data([0x0a]))
    }
}
