import Foundation

extension Sequence where Element == UInt8 {
    /// Lower-case hexadecimal, two digits a byte (how hashes and MACs are stored and shown).
    public var hexString: String { map { String(format: "%02x", $0) }.joined() }

    /// Base64 with the URL-safe alphabet and no padding (tokens in links and cookies).
    public func base64URLEncodedString() -> String {
        Data(self).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

/// Compares secrets (tokens, signatures) in time that does not depend on where they first differ.
public func constantTimeEqual(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8), y = Array(b.utf8)
    guard x.count == y.count else { return false }
    var difference: UInt8 = 0
    for index in x.indices { difference |= x[index] ^ y[index] }
    return difference == 0
}

extension Date {
    /// Milliseconds since 1970, rounded: how audit entries, events and the outbox keep times, the same on every database.
    public var millis: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }

    /// The moment a stored `millis` names.
    public init(millis: Int64) { self.init(timeIntervalSince1970: Double(millis) / 1000) }
}
