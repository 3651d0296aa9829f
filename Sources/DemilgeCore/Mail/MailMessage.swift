import Foundation

/// One e-mail as `sendmail -t` reads it (RFC 5322): plain UTF-8 text, the subject as an encoded word, and every
/// header value that came from data checked so that no line break can add a header of its own.
public struct MailMessage: Sendable, Equatable {
    public var from: String
    public var to: String
    public var subject: String
    public var body: String
    /// `<…@host>`: the same for every attempt to deliver this message, so a message sent twice (the server was
    /// killed between sendmail accepting it and the outbox marking it sent) is recognisably one.
    public var messageID: String
    public var language: String
    public var date: Date
    /// `List-Unsubscribe` for notifications (RFC 8058 one-click); nil for messages a person asked for.
    public var unsubscribe: String?

    public init(from: String, to: String, subject: String, body: String, messageID: String, language: String, date: Date,
                unsubscribe: String? = nil) {
        self.from = from
        self.to = to
        self.subject = subject
        self.body = body
        self.messageID = messageID
        self.language = language
        self.date = date
        self.unsubscribe = unsubscribe
    }

    public enum Problem: Error, Equatable { case unsafeHeader(String) }

    /// The message as bytes for sendmail's standard input, lines ending in CRLF.
    public func rendered() throws -> String {
        for (name, value) in [("From", from), ("To", to), ("Message-ID", messageID), ("Content-Language", language),
                              ("List-Unsubscribe", unsubscribe ?? "")] where !Self.isSafeHeaderValue(value) {
            throw Problem.unsafeHeader(name)
        }
        // One address: a comma or a space would make `sendmail -t` send copies elsewhere.
        guard !to.contains(where: { " ,;<>()\"\\:".contains($0) }) else { throw Problem.unsafeHeader("To") }
        var headers = [
            "From: \(from)",
            "To: \(to)",
            "Subject: \(Self.encodedWord(subject))",
            "Date: \(Self.rfc5322Date(date))",
            "Message-ID: \(messageID)",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=UTF-8",
            "Content-Transfer-Encoding: base64",
            "Content-Language: \(language)",
            "Auto-Submitted: auto-generated",
        ]
        if let unsubscribe {
            headers.append("List-Unsubscribe: <\(unsubscribe)>")
            headers.append("List-Unsubscribe-Post: List-Unsubscribe=One-Click")
        }
        let normalisedBody = body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n")
        let encoded = Data(normalisedBody.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        return headers.joined(separator: "\r\n") + "\r\n\r\n" + encoded + "\r\n"
    }

    /// Printable ASCII only (an address, an id, a URL): no CR, LF or other control character, at most 900 bytes.
    static func isSafeHeaderValue(_ value: String) -> Bool {
        value.utf8.count <= 900 && value.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F }
    }

    /// `=?UTF-8?B?…?=` words of at most 64 characters (a folded line stays under 78), split between characters, never inside one.
    static func encodedWord(_ text: String) -> String {
        let clean = text.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }
        var words: [String] = []
        var chunk = Data()
        for scalar in clean {
            let bytes = Data(String(scalar).utf8)
            if chunk.count + bytes.count > 39 {
                words.append("=?UTF-8?B?\(chunk.base64EncodedString())?=")
                chunk = Data()
            }
            chunk.append(bytes)
        }
        if !chunk.isEmpty || words.isEmpty { words.append("=?UTF-8?B?\(chunk.base64EncodedString())?=") }
        return words.joined(separator: "\r\n ")
    }

    static func rfc5322Date(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let weekday = days[((parts.weekday ?? 1) - 1 + 7) % 7]
        let month = months[((parts.month ?? 1) - 1 + 12) % 12]
        func two(_ value: Int?) -> String { value.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00" }
        return "\(weekday), \(two(parts.day)) \(month) \(parts.year ?? 1970) \(two(parts.hour)):\(two(parts.minute)):\(two(parts.second)) +0000"
    }
}

/// When a message that failed is tried again: 1, 2, 4, … minutes after each failure, at most six hours; after
/// `maxAttempts` failures it is dead (kept, shown to administrators, retried only when one asks).
public enum DeliveryBackoff {
    public static let maxAttempts = 8

    public static func delay(afterAttempt attempt: Int) -> TimeInterval {
        let exponent = min(max(attempt - 1, 0), 20)
        return min(60 * Double(1 << exponent), 6 * 3600)
    }
}
