import DemilgeCore
import Fluent
import Foundation

/// An e-mail waiting to leave, or one that left or died. Written in the same transaction as the event it tells
/// about (so a rolled-back event sends nothing and a committed one is never forgotten), delivered by `OutboxWorker`.
final class OutboxMessage: Model, @unchecked Sendable {
    static let schema = "outbox_messages"

    enum Status: String, Codable, CaseIterable, Sendable { case queued, sent, dead }

    @ID(key: .id) var id: UUID?
    @Field(key: "message_id") var messageID: String
    @Field(key: "kind") var kind: String
    @Field(key: "recipient") var recipient: String
    @Field(key: "language") var language: String
    @Field(key: "subject") var subject: String
    @Field(key: "body") var body: String
    @OptionalField(key: "unsubscribe") var unsubscribe: String?
    @Field(key: "status") var status: String
    @Field(key: "attempts") var attempts: Int
    @Field(key: "due_millis") var dueMillis: Int64
    @OptionalField(key: "claimed_until_millis") var claimedUntilMillis: Int64?
    @OptionalField(key: "last_error") var lastError: String?
    @Field(key: "created_millis") var createdMillis: Int64
    @OptionalField(key: "sent_millis") var sentMillis: Int64?

    init() {}

    init(id: UUID = UUID(), kind: String, recipient: String, language: Language, subject: String, body: String,
         host: String, unsubscribe: String? = nil, now: Date = Date()) {
        self.id = id
        self.messageID = "<\(id.uuidString.lowercased())@\(host)>"
        self.kind = kind
        self.recipient = recipient
        self.language = language.rawValue
        self.subject = subject
        self.body = body
        self.unsubscribe = unsubscribe
        self.status = Status.queued.rawValue
        self.attempts = 0
        self.dueMillis = now.millis
        self.createdMillis = now.millis
    }
}
