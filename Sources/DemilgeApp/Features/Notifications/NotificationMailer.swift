import Crypto
import DemilgeCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// Turns notifications whose e-mail is due into outbox messages: one message per person with everything due for
/// them (a single notification has its own subject; several make a digest), in their language, with a one-click
/// unsubscribe link. Each person's items are taken by one conditional update in the same transaction as the
/// message, so two workers never mail the same notification and a crash mails it later or not twice.
enum NotificationMailer {
    /// At most this many notifications in one message; the rest follow in the next.
    static let perMessage = 30

    /// Mails what is due for up to `limit` people; returns how many people had something due.
    @discardableResult
    static func mailDue(_ app: Application, people limit: Int = 50, now: Date = Date()) async throws -> Int {
        guard let sql = app.db as? any SQLDatabase else { return 0 }
        struct Due: Decodable { let user_id: UUID }
        let at = now.millis
        let people = try await sql.raw("""
            SELECT DISTINCT user_id FROM notifications WHERE mail_due_millis IS NOT NULL AND mail_due_millis <= \(bind: at)
            LIMIT \(unsafeRaw: String(max(1, min(limit, 500))))
            """).all(decoding: Due.self)
        guard !people.isEmpty else { return 0 }
        let key = try await ServerKeys.key("unsubscribe", app: app, on: app.db)
        for person in people { _ = try await mail(person.user_id, key: key, app: app, now: now) }
        return people.count
    }

    private static func mail(_ userID: UUID, key: SymmetricKey, app: Application, now: Date) async throws -> Bool {
        do { return try await claimAndWrite(userID, key: key, app: app, now: now) } catch is Retaken { return false }
    }

    private static func claimAndWrite(_ userID: UUID, key: SymmetricKey, app: Application, now: Date) async throws -> Bool {
        try await app.write(counted: false) { db in
            guard let sql = db as? any SQLDatabase else { return false }
            let at = now.millis
            let due = try await InboxItem.query(on: db).filter(\.$user.$id == userID).filter(\.$mailDueMillis <= at)
                .sort(\.$id).limit(perMessage).all()
            guard !due.isEmpty else { return false }
            let claimed = try await sql.update(InboxItem.schema).set("mail_due_millis", to: SQLLiteral.null).set("mailed_millis", to: at)
                .where("id", .in, due.compactMap(\.id)).where("mail_due_millis", .isNot, SQLLiteral.null)
                .returning("id").all().count
            // Another worker took some of them first: it mails them; this one rolls back and takes none.
            guard claimed == due.count else { throw Retaken() }
            guard let user = try await User.find(userID, on: db), !user.disabled, user.emailConfirmedMillis != nil else { return false }
            let message = compose(due, to: user, id: userID, key: key, app: app)
            try await message.create(on: db)
            return true
        }
    }

    private struct Retaken: Error {}

    static func compose(_ items: [InboxItem], to user: User, id userID: UUID, key: SymmetricKey, app: Application) -> OutboxMessage {
        let language = user.language ?? .ky
        let text = NotificationText(catalog: app.catalog)
        let base = PublicURL.base(app)
        let kinds = Set(items.map(\.kind))
        let single = items.count == 1 ? items.first : nil
        let unsubscribeKind = kinds.count == 1 ? kinds.first : nil
        let unsubscribe = base + "/unsubscribe/" + UnsubscribeToken(user: userID, kind: unsubscribeKind).signed(key: key)
        let lines = items.map { "• " + text.line($0, language) + "\n  " + base + NotificationText.path($0) }
        let unsubscribeLine = app.catalog.text(unsubscribeKind == nil ? "notify.mail.unsubscribe_all" : "notify.mail.unsubscribe", language,
                                               arguments: ["kind": unsubscribeKind.map { app.catalog.text($0.catalogKey, language) } ?? ""])
        let body = app.catalog.text("notify.mail.body", language, arguments: [
            "name": user.displayName, "items": lines.joined(separator: "\n\n"),
            "settings": base + "/account/notifications/settings", "unsubscribe": unsubscribeLine + "\n" + unsubscribe,
        ])
        let subject = single.map { app.catalog.text("notify.mail.subject", language, arguments: ["line": text.line($0, language)]) }
            ?? app.catalog.text("notify.mail.digest_subject", language, arguments: ["count": String(items.count)])
        return OutboxMessage(kind: single == nil ? "notify.digest" : "notify.\(single?.kind.rawValue ?? "")", recipient: user.email,
                             language: language, subject: subject, body: body, host: app.mailSettings.host, unsubscribe: unsubscribe)
    }
}
