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

/// A stored entry: its record, the previous entry's hash and its own. `keyed` entries are hashed with a key kept
/// outside the database (HMAC-SHA-256); entries written before the key existed are plain SHA-256.
public struct ChainedAuditEntry: Equatable, Sendable {
    public var record: AuditRecord
    public var previousHash: String
    public var hash: String
    public var keyed: Bool

    public init(record: AuditRecord, previousHash: String, hash: String, keyed: Bool = false) {
        self.record = record
        self.previousHash = previousHash
        self.hash = hash
        self.keyed = keyed
    }
}

/// The chain's last entry, kept apart from the entries with a MAC of its own: deleting the last entries leaves the
/// head pointing past the end, and only the key's holder can move the head back.
public struct AuditHead: Equatable, Sendable {
    public var sequence: Int64
    public var hash: String
    public var mac: String

    public init(sequence: Int64, hash: String, mac: String) {
        self.sequence = sequence
        self.hash = hash
        self.mac = mac
    }

    public init(for entry: ChainedAuditEntry, key: SymmetricKey) {
        self.init(sequence: entry.record.sequence, hash: entry.hash, mac: AuditHead.mac(sequence: entry.record.sequence, hash: entry.hash, key: key))
    }

    public static func mac(sequence: Int64, hash: String, key: SymmetricKey) -> String {
        HMAC<SHA256>.authenticationCode(for: Data("head:\(sequence):\(hash)".utf8), using: key).hexString
    }
}

/// Hash-chains audit entries: each hash covers the entry and the previous hash, so any change,
/// removal or reordering of an earlier entry breaks every later link.
public enum AuditChain {
    public static let genesisHash = String(repeating: "0", count: 64)

    public static func hash(_ record: AuditRecord, previousHash: String, key: SymmetricKey? = nil) -> String {
        // Length-prefixed fields: no separator inside a field can make two records collide.
        let fields: [String?] = [previousHash, String(record.sequence), String(record.atMillis), record.actor,
                                 record.action, record.entityType, record.entityID, record.before, record.after]
        var canonical = ""
        for field in fields {
            if let field { canonical += "\(field.utf8.count):\(field);" } else { canonical += "-;" }
        }
        let data = Data(canonical.utf8)
        if let key { return HMAC<SHA256>.authenticationCode(for: data, using: key).hexString }
        return SHA256.hash(data: data).hexString
    }

    /// The next entry: keyed when a key is given (always, on a running server).
    public static func append(_ record: AuditRecord, after previous: ChainedAuditEntry?, key: SymmetricKey? = nil) -> ChainedAuditEntry {
        append(record, previousHash: previous?.hash, key: key)
    }

    public static func append(_ record: AuditRecord, previousHash: String?, key: SymmetricKey?) -> ChainedAuditEntry {
        let previousHash = previousHash ?? genesisHash
        return ChainedAuditEntry(record: record, previousHash: previousHash, hash: hash(record, previousHash: previousHash, key: key),
                                 keyed: key != nil)
    }

    public enum Breach: Equatable, Sendable, CustomStringConvertible {
        case brokenLink(sequence: Int64)
        case alteredEntry(sequence: Int64)
        case sequenceGap(after: Int64, found: Int64)
        /// An unkeyed entry after a keyed one: someone without the key rewrote it.
        case unkeyedEntry(sequence: Int64)
        /// The head names entries that are no longer there.
        case truncated(head: Int64, last: Int64)
        /// The head does not name the last entry, or its MAC is not the key's.
        case headMismatch(head: Int64, last: Int64)
        case headMissing(last: Int64)

        public var description: String {
            switch self {
            case .brokenLink(let s): "entry \(s): does not link to the entry before it"
            case .alteredEntry(let s): "entry \(s): content does not match its hash"
            case .sequenceGap(let a, let f): "entry \(f) follows \(a): entries are missing"
            case .unkeyedEntry(let s): "entry \(s): not keyed, after keyed entries"
            case .truncated(let h, let l): "the head names entry \(h) but the log ends at \(l): the last entries were deleted"
            case .headMismatch(let h, let l): "the head (entry \(h)) does not match the last entry (\(l)) or was not written with the key"
            case .headMissing(let l): "the log has entries up to \(l) but no head"
            }
        }
    }

    /// Checks the entries and the head together: `verify(entries, key:)`, then that the head names the last entry
    /// with the key's MAC. Only an empty log has no head.
    public static func verify(_ entries: [ChainedAuditEntry], head: AuditHead?, key: SymmetricKey) -> Breach? {
        if let breach = verify(entries, key: key) { return breach }
        let last = entries.last
        guard let head else {
            if let last { return .headMissing(last: last.record.sequence) }
            return nil
        }
        let lastSequence = last?.record.sequence ?? 0
        if head.sequence > lastSequence { return .truncated(head: head.sequence, last: lastSequence) }
        guard let last, head.sequence == lastSequence, head.hash == last.hash,
              head.mac == AuditHead.mac(sequence: head.sequence, hash: head.hash, key: key) else {
            return .headMismatch(head: head.sequence, last: lastSequence)
        }
        return nil
    }

    /// Checks entries in sequence order; returns the first breach, or nil if the chain is intact. Keyed entries are
    /// checked with `key` (without one they cannot be, and count as altered); once one is keyed, every later one must be.
    public static func verify<S: Sequence>(_ entries: S, key: SymmetricKey? = nil) -> Breach? where S.Element == ChainedAuditEntry {
        var previousHash = genesisHash
        var previousSequence: Int64? = nil
        var keyedSeen = false
        for entry in entries {
            if let previousSequence, entry.record.sequence != previousSequence + 1 {
                return .sequenceGap(after: previousSequence, found: entry.record.sequence)
            }
            if entry.previousHash != previousHash { return .brokenLink(sequence: entry.record.sequence) }
            if keyedSeen && !entry.keyed { return .unkeyedEntry(sequence: entry.record.sequence) }
            if entry.keyed {
                keyedSeen = true
                guard let key, hash(entry.record, previousHash: entry.previousHash, key: key) == entry.hash else {
                    return .alteredEntry(sequence: entry.record.sequence)
                }
            } else if hash(entry.record, previousHash: entry.previousHash) != entry.hash {
                return .alteredEntry(sequence: entry.record.sequence)
            }
            previousHash = entry.hash
            previousSequence = entry.record.sequence
        }
        return nil
    }
}
