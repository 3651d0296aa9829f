/// A state or kind kept in a text column. Reading an unknown stored value throws (Codable's `init(rawValue:)`
/// failure) instead of falling back to a default, and a state written into text (a catalog key, an audit action,
/// a CSV cell) is always its stored value, never the Swift case name.
public protocol StoredState: RawRepresentable, CaseIterable, Codable, Sendable, CustomStringConvertible where RawValue == String {}

extension StoredState {
    public var description: String { rawValue }
}

public struct UnknownStoredState: Error, CustomStringConvertible {
    public let type: String
    public let value: String
    public var description: String { "unknown \(type) “\(value)”" }
}

extension StoredState {
    /// The state spelled `text`, or an error naming the type and the value (for seeds and imported files).
    public init(stored text: String) throws {
        guard let state = Self(rawValue: text) else { throw UnknownStoredState(type: String(describing: Self.self), value: text) }
        self = state
    }
}
