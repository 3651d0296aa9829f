import Crypto
import Foundation

/// The content of one audit entry: who did what to which record, with its state before and after.
public struct AuditRecord: Equatable, Sendable {
    public var sequence: Int64
    /// Milliseconds since 1970, an integer so it hashes the same on every database.
    public var atMillis: Int64
    public var actor: String
    public var action: String
    public var entityType: String
    public var entityID: String
    public var before: String?
    public var after: String?

    public init(sequence: Int64, atMillis: Int64, actor: String, action: String, entityType: String, entityID: String, before: String?, after: String?) {
        self.sequence = sequence
        self.atMillis = atMillis
        self.actor = actor
        self.action = action
        self.entityType = entityType
        self.entityID = entityID
        self.before = before
        self.after = after
    }
}

/// A stored entry: its record, the previous entry's hash and its own.
public struct ChainedAuditEntry: Equatable, Sendable {
    public var record: AuditRecord
    public var previousHash: String
    public var hash: String

    public init(record: AuditRecord, previousHash: String, hash: String) {
        self.record = record
        self.previousHash = previousHash
        self.hash = hash
    }
}

/// Hash-chains audit entries: each hash covers the entry and the previous hash, so any change,
/// removal or reordering of an earlier entry breaks every later link.
public enum AuditChain {
    public static let genesisHash = String(repeating: "0", count: 64)

    public static func hash(_ record: AuditRecord, previousHash: String) -> String {
        // Length-prefixed fields: no separator inside a field can make two records collide.
        let fields: [String?] = [previousHash, String(record.sequence), String(record.atMillis), record.actor,
                                 record.action, record.entityType, record.entityID, record.before, record.after]
        var canonical = ""
        for field in fields {
            if let field { canonical += "\(field.utf8.count):\(field);" } else { canonical += "-;" }
        }
        return SHA256.hash(data: Data(canonical.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    public static func append(_ record: AuditRecord, after previous: ChainedAuditEntry?) -> ChainedAuditEntry {
        let previousHash = previous?.hash ?? genesisHash
        return ChainedAuditEntry(record: record, previousHash: previousHash, hash: hash(record, previousHash: previousHash))
    }

    public enum Breach: Equatable, Sendable, CustomStringConvertible {
        case brokenLink(sequence: Int64)
        case alteredEntry(sequence: Int64)
        case sequenceGap(after: Int64, found: Int64)

        public var description: String {
            switch self {
            case .brokenLink(let s): "entry \(s): does not link to the entry before it"
            case .alteredEntry(let s): "entry \(s): content does not match its hash"
            case .sequenceGap(let a, let f): "entry \(f) follows \(a): entries are missing"
            }
        }
    }

    /// Checks entries in sequence order; returns the first breach, or nil if the chain is intact.
    public static func verify<S: Sequence>(_ entries: S) -> Breach? where S.Element == ChainedAuditEntry {
        var previousHash = genesisHash
        var previousSequence: Int64? = nil
        for entry in entries {
            if let previousSequence, entry.record.sequence != previousSequence + 1 {
                return .sequenceGap(after: previousSequence, found: entry.record.sequence)
            }
            if entry.previousHash != previousHash { return .brokenLink(sequence: entry.record.sequence) }
            if hash(entry.record, previousHash: entry.previousHash) != entry.hash { return .alteredEntry(sequence: entry.record.sequence) }
            previousHash = entry.hash
            previousSequence = entry.record.sequence
        }
        return nil
    }
}
