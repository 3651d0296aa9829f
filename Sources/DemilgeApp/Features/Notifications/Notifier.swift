import DemilgeCore
import Fluent
import Foundation
import SQLKit

/// Follows and notifications, written inside the write that causes them, so an event and the news of it land
/// together or not at all. Telling the followers is one statement however many there are; e-mail is left to
/// `NotificationMailer`, which turns what is due into outbox messages.
enum Notifier {
    /// What happened, to what, as the inbox will show it.
    struct News: Sendable {
        let kind: NotificationKind
        let subject: FollowSubject
        let subjectID: UUID
        /// The subject's name when it happened.
        let title: String
        /// A catalog key shown after the title (a new status), or "".
        let detail: String
        /// Who caused it: not told of their own doing.
        let actor: UUID?
    }

    /// Who hears of news: followers of these subjects, and the residents of these places.
    struct Audience: Sendable {
        var followers: [(FollowSubject, UUID)]
        var residentsOf: [UUID] = []

        static func followers(of subject: FollowSubject, _ id: UUID) -> Audience { Audience(followers: [(subject, id)]) }
    }

    /// Follows `subject` for the user; nothing when they already do.
    static func follow(_ user: UUID, _ subject: FollowSubject, _ id: UUID, automatic: Bool, on db: any Database, now: Date = Date()) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.raw("""
            INSERT INTO follows (id, user_id, subject_kind, subject_id, automatic, created_millis)
            VALUES (\(bind: UUID()), \(bind: user), \(bind: subject.rawValue), \(bind: id), \(bind: automatic), \(bind: now.millis))
            ON CONFLICT (user_id, subject_kind, subject_id) DO NOTHING
            """).run()
    }

    static func unfollow(_ user: UUID, _ subject: FollowSubject, _ id: UUID, on db: any Database) async throws {
        try await Follow.query(on: db).filter(\.$user.$id == user).filter(\.$subjectKind == subject).filter(\.$subjectID == id).delete()
    }

    static func follows(_ user: UUID, _ subject: FollowSubject, _ id: UUID, on db: any Database) async throws -> Bool {
        try await Follow.query(on: db).filter(\.$user.$id == user).filter(\.$subjectKind == subject).filter(\.$subjectID == id).first() != nil
    }

    /// Puts the news in the inbox of everyone in the audience (each once, never the actor, never a disabled account),
    /// due by e-mail as each of them chose for its kind: now, at the next digest, or not at all (nor to an address not
    /// yet confirmed).
    static func tell(_ news: News, _ audience: Audience, on db: any Database, now: Date = Date()) async throws {
        guard let sql = db as? any SQLDatabase, !audience.followers.isEmpty || !audience.residentsOf.isEmpty else { return }
        var who: [SQLQueryString] = []
        for (subject, ids) in Dictionary(grouping: audience.followers, by: { $0.0.rawValue }).sorted(by: { $0.key < $1.key }) {
            who.append("SELECT user_id FROM follows WHERE subject_kind = \(bind: subject) AND subject_id IN (\(binds: ids.map { $0.1 as any Encodable & Sendable }))")
        }
        if !audience.residentsOf.isEmpty {
            who.append("SELECT user_id FROM role_assignments WHERE role = \(bind: Role.resident.rawValue) AND territory_id IN (\(binds: audience.residentsOf.map { $0 as any Encodable & Sendable }))")
        }
        let at = now.millis
        let immediate = MailDelivery.immediate.due(after: now)?.millis, digest = MailDelivery.digest.due(after: now)?.millis
        let title = String(news.title.prefix(300))
        let notActor: SQLQueryString = news.actor.map { "AND u.id <> \(bind: $0)" } ?? ""
        try await sql.raw("""
            INSERT INTO notifications (user_id, kind, subject_kind, subject_id, title, detail, created_millis, mail_due_millis)
            SELECT u.id, \(bind: news.kind.rawValue), \(bind: news.subject.rawValue), \(bind: news.subjectID), \(bind: title), \(bind: news.detail), \(bind: at),
              CASE WHEN u.email_confirmed_millis IS NULL THEN NULL
                ELSE CASE COALESCE(s.delivery, \(bind: news.kind.defaultDelivery.rawValue))
                  WHEN 'immediate' THEN \(bind: immediate) WHEN 'digest' THEN \(bind: digest) ELSE NULL END END
            FROM (\(who.joined(separator: " UNION "))) r
            JOIN users u ON u.id = r.user_id
            LEFT JOIN notification_settings s ON s.user_id = u.id AND s.kind = \(bind: news.kind.rawValue)
            WHERE NOT u.disabled \(notActor)
            """).run()
    }
}
