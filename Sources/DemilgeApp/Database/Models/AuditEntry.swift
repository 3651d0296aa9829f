import DemilgeCore
import Fluent
import Foundation

final class AuditEntry: Model, @unchecked Sendable {
    static let schema = "audit_entries"

    @ID(custom: "sequence", generatedBy: .user) var id: Int64?
    @Field(key: "at_millis") var atMillis: Int64
    @Field(key: "actor") var actor: String
    @Field(key: "action") var action: String
    @Field(key: "entity_type") var entityType: String
    @Field(key: "entity_id") var entityID: String
    @OptionalField(key: "before") var before: String?
    @OptionalField(key: "after") var after: String?
    @Field(key: "previous_hash") var previousHash: String
    @Field(key: "hash") var hash: String
    @Field(key: "keyed") var keyed: Bool

    init() {}

    init(_ entry: ChainedAuditEntry) {
        id = entry.record.sequence
        atMillis = entry.record.atMillis
        actor = entry.record.actor
        action = entry.record.action
        entityType = entry.record.entityType
        entityID = entry.record.entityID
        before = entry.record.before
        after = entry.record.after
        previousHash = entry.previousHash
        hash = entry.hash
        keyed = entry.keyed
    }

    var chained: ChainedAuditEntry {
        ChainedAuditEntry(
            record: AuditRecord(sequence: id ?? 0, atMillis: atMillis, actor: actor, action: action,
                                entityType: entityType, entityID: entityID, before: before, after: after),
            previousHash: previousHash, hash: hash, keyed: keyed)
    }
}
