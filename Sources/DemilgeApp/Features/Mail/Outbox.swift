import DemilgeCore
import Fluent
import SQLKit
import Vapor

/// Queues e-mail inside a write, and delivers what is due. Delivery is at least once: a message is claimed for a
/// while (`lease`), sent, then marked sent; if the instance dies in between, the claim runs out and the message goes
/// again with the same `Message-ID`. Several instances may deliver at once: each message is claimed by one
/// conditional update, which only one of them wins.
enum Outbox {
    /// Queues a message in the caller's transaction, in the recipient's language, from catalog keys
    /// `<key>.subject` and `<key>.body`.
    static func enqueue(_ key: String, to recipient: String, language: Language, arguments: [String: String],
                        on db: any Database, app: Application) async throws {
        let catalog = app.catalog
        let message = OutboxMessage(kind: key, recipient: recipient, language: language,
                                    subject: catalog.text("\(key).subject", language, arguments: arguments),
                                    body: catalog.text("\(key).body", language, arguments: arguments),
                                    host: app.mailSettings.host)
        try await message.create(on: db)
    }

    struct Depth: Sendable, Equatable { var queued: Int, dead: Int }

    static func depth(on db: any Database) async throws -> Depth {
        guard let sql = db as? any SQLDatabase else { return Depth(queued: 0, dead: 0) }
        struct Row: Decodable { let status: String; let count: Int }
        let rows = try await sql.raw("SELECT status, COUNT(*) AS count FROM outbox_messages WHERE status <> 'sent' GROUP BY status")
            .all(decoding: Row.self)
        var depth = Depth(queued: 0, dead: 0)
        for row in rows {
            if row.status == OutboxMessage.Status.queued.rawValue { depth.queued = row.count }
            if row.status == OutboxMessage.Status.dead.rawValue { depth.dead = row.count }
        }
        return depth
    }

    /// Delivers up to `limit` due messages; returns how many were sent.
    @discardableResult
    static func deliverDue(_ app: Application, limit: Int = 20, now: @Sendable () -> Date = Date.init) async throws -> Int {
        guard let sql = app.db as? any SQLDatabase else { return 0 }
        let settings = app.mailSettings
        struct Due: Decodable { let id: UUID }
        let start = now().millis
        let due = try await sql.raw("""
            SELECT id FROM outbox_messages WHERE status = 'queued' AND due_millis <= \(bind: start)
            AND (claimed_until_millis IS NULL OR claimed_until_millis < \(bind: start)) ORDER BY due_millis LIMIT \(unsafeRaw: String(max(1, min(limit, 500))))
            """).all(decoding: Due.self)
        var sent = 0
        for item in due {
            guard let message = try await claim(item.id, app: app, lease: settings.lease, now: now()) else { continue }
            let text: String
            do {
                text = try settings.render(message, date: now())
            } catch {
                // A message that cannot be written (an address sendmail would misread) never will be: it dies at once.
                try await finish(message, error: "\(error)", permanent: true, app: app, now: now())
                continue
            }
            do {
                try await settings.sendmail.send(text)
                try await finish(message, error: nil, app: app, now: now())
                sent += 1
            } catch {
                app.logger.warning("e-mail not delivered", metadata: ["message": .string(message.messageID), "error": .string("\(error)")])
                try await finish(message, error: "\(error)", app: app, now: now())
            }
        }
        return sent
    }

    /// Takes a due message for `lease`; nil when another worker has it or it is no longer due.
    private static func claim(_ id: UUID, app: Application, lease: TimeInterval, now: Date) async throws -> OutboxMessage? {
        let at = now.millis
        let until = now.addingTimeInterval(lease).millis
        return try await app.write(counted: false) { db in
            guard let sql = db as? any SQLDatabase else { return nil }
            return try await sql.update(OutboxMessage.schema).set("claimed_until_millis", to: until)
                .where("id", .equal, id).where("status", .equal, OutboxMessage.Status.queued.rawValue)
                .where("due_millis", .lessThanOrEqual, at)
                .where { $0.where("claimed_until_millis", .is, SQLLiteral.null).orWhere("claimed_until_millis", .lessThan, at) }
                .returning(SQLLiteral.all).first(decodingFluent: OutboxMessage.self)
        }
    }

    /// Kinds whose body holds a secret (a reset link): emptied once the message is sent or dead.
    static let secretKinds: Set<String> = ["mail.password_reset"]

    /// Records how the attempt went, if the worker still holds the message: a worker whose claim ran out (another has
    /// since sent it) changes nothing.
    static func finish(_ message: OutboxMessage, error: String?, permanent: Bool = false, app: Application, now: Date) async throws {
        let id = try message.requireID()
        let claim = message.claimedUntilMillis ?? 0
        let attempts = message.attempts.addingReportingOverflow(1).overflow ? Int.max : message.attempts + 1
        let secret = secretKinds.contains(message.kind)
        try await app.write(counted: false) { db in
            guard let sql = db as? any SQLDatabase else { return }
            let update = sql.update(OutboxMessage.schema).set("attempts", to: attempts).set("claimed_until_millis", to: SQLLiteral.null)
            if let error {
                let dead = permanent || attempts >= DeliveryBackoff.maxAttempts
                _ = update.set("status", to: (dead ? OutboxMessage.Status.dead : .queued).rawValue)
                    .set("last_error", to: String(error.prefix(500)))
                    .set("due_millis", to: now.addingTimeInterval(DeliveryBackoff.delay(afterAttempt: attempts)).millis)
                if dead && secret { _ = update.set("body", to: "") }
            } else {
                _ = update.set("status", to: OutboxMessage.Status.sent.rawValue).set("sent_millis", to: now.millis)
                    .set("last_error", to: SQLLiteral.null).set("body", to: "")
            }
            try await update.where("id", .equal, id).where("claimed_until_millis", .equal, claim).run()
        }
    }

    /// Sent messages are kept a month (their subject and recipient, not their body), then forgotten.
    static func forgetSent(on db: any Database, now: Date = Date()) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.delete(from: OutboxMessage.schema).where("status", .equal, OutboxMessage.Status.sent.rawValue)
            .where("sent_millis", .lessThan, now.addingTimeInterval(-30 * 24 * 3600).millis).run()
    }

    /// An administrator sends a dead message again: it is queued, due now, with its attempts counted afresh. Not a
    /// message whose secret was emptied (the person asks for a new link instead).
    static func retry(_ id: UUID, on db: any Database, now: Date = Date()) async throws -> Bool {
        guard let sql = db as? any SQLDatabase else { return false }
        let rows = try await sql.update(OutboxMessage.schema).set("status", to: OutboxMessage.Status.queued.rawValue)
            .set("attempts", to: 0).set("due_millis", to: now.millis).set("claimed_until_millis", to: SQLLiteral.null)
            .where("id", .equal, id).where("status", .equal, OutboxMessage.Status.dead.rawValue).where("body", .notEqual, "")
            .returning("id").all()
        return rows.count == 1
    }
}

/// Where mail comes from and how it leaves: `DEMILGE_MAIL_FROM` (default `Demilge <noreply@HOST>` with the public
/// address's host), the sendmail command, and how long a claimed message is left to its worker
/// (`DEMILGE_OUTBOX_LEASE_SECONDS`, 120 unless set).
struct MailSettings: Sendable {
    let from: String
    let host: String
    let sendmail: Sendmail
    let lease: TimeInterval

    static func fromEnvironment(_ app: Application) -> MailSettings {
        let host = URLComponents(string: PublicURL.base(app))?.host ?? "localhost"
        let from = Environment.get("DEMILGE_MAIL_FROM").flatMap { $0.isEmpty ? nil : $0 } ?? "Demilge <noreply@\(host)>"
        let lease = Environment.get("DEMILGE_OUTBOX_LEASE_SECONDS").flatMap { Int($0) }.map { min(max($0, 1), 3_600) } ?? 120
        var sendmail = Sendmail.fromEnvironment()
        // A send outlives no claim: the lease runs out only after sendmail has been stopped.
        sendmail.timeout = min(60, max(1, Double(lease) / 2))
        return MailSettings(from: from, host: host, sendmail: sendmail, lease: TimeInterval(lease))
    }

    func render(_ message: OutboxMessage, date: Date) throws -> String {
        try MailMessage(from: from, to: message.recipient, subject: message.subject, body: message.body, messageID: message.messageID,
                        language: message.language, date: date, unsubscribe: message.unsubscribe).rendered()
    }
}

extension Application {
    private struct MailSettingsKey: StorageKey { typealias Value = MailSettings }

    /// Read from the environment once, by `configure` (tests then deliver through a stand-in for sendmail).
    var mailSettings: MailSettings {
        get { storage[MailSettingsKey.self] ?? MailSettings.fromEnvironment(self) }
        set { storage[MailSettingsKey.self] = newValue }
    }
}
