import Foundation

extension Sequence where Element == UInt8 {
    /// Lower-case hexadecimal, two digits a byte (how hashes and MACs are stored and shown).
    public var hexString: String { map { String(format: "%02x", $0) }.joined() }
}

extension Date {
    /// Milliseconds since 1970, rounded: how audit entries, events and the outbox keep times, the same on every database.
    public var millis: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }
}
