import Crypto
import Foundation

/// What a person can follow: they hear of what happens to it.
public enum FollowSubject: String, StoredState {
    case problem, round, call, application, territory
}

/// What a notification tells. Each kind has its own choice of e-mail (at once, in the daily digest, or none); the
/// inbox always shows it.
public enum NotificationKind: String, StoredState {
    /// A followed problem or application moved to another status; a followed round to another stage.
    case status
    /// A commission chose a followed problem; a call decided a followed application.
    case decision
    /// A followed round published its results.
    case results
    /// Someone commented on a followed problem.
    case comment
    /// A monitoring visit recorded findings on a followed grant.
    case monitoring
    /// A budgeting round opened for voting in a place the person lives in or follows.
    case roundOpened = "round_opened"

    public var catalogKey: String { "notify.kind.\(rawValue)" }

    /// Until a person chooses: what they would not want to miss comes at once, the rest in the digest.
    public var defaultDelivery: MailDelivery {
        switch self {
        case .decision, .results, .roundOpened: .immediate
        case .status, .comment, .monitoring: .digest
        }
    }
}

public enum MailDelivery: String, StoredState {
    case immediate, digest, none

    /// When news made at `now` is due by e-mail: at once, at the next digest, or never.
    public func due(after now: Date) -> Date? {
        switch self {
        case .immediate: now
        case .digest: DigestClock.due(after: now)
        case .none: nil
        }
    }
}

/// The daily digest leaves at 08:00 in Bishkek (UTC+6 all year): a notification for the digest is due at the first
/// such moment after it was made.
public enum DigestClock {
    public static let hourUTC = 2

    public static func due(after date: Date) -> Date {
        let day: TimeInterval = 86_400
        let seconds = date.timeIntervalSince1970
        let startOfDay = (seconds / day).rounded(.down) * day
        var candidate = startOfDay + TimeInterval(hourUTC * 3600)
        if candidate <= seconds { candidate += day }
        return Date(timeIntervalSince1970: candidate)
    }
}

/// The signed part of a one-click unsubscribe link: who and which kind (or every kind, for a digest), with an
/// HMAC under a server key, so the link works without signing in and cannot be made for anyone else.
public struct UnsubscribeToken: Sendable, Equatable {
    public let user: UUID
    /// nil: every kind of e-mail notification.
    public let kind: NotificationKind?

    public init(user: UUID, kind: NotificationKind?) {
        self.user = user
        self.kind = kind
    }

    private var payload: String { user.uuidString.lowercased() + "." + (kind?.rawValue ?? "all") }

    public func signed(key: SymmetricKey) -> String {
        payload + "." + Self.signature(payload, key: key)
    }

    /// The token's person and kind when its signature is this server's; nil for anything else.
    public static func read(_ text: String, key: SymmetricKey) -> UnsubscribeToken? {
        guard text.utf8.count <= 200 else { return nil }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let user = UUID(uuidString: parts[0]) else { return nil }
        let kind: NotificationKind?
        if parts[1] == "all" { kind = nil } else if let known = NotificationKind(rawValue: parts[1]) { kind = known } else { return nil }
        let token = UnsubscribeToken(user: user, kind: kind)
        guard parts[0] == user.uuidString.lowercased(),
              constantTimeEqual(signature(token.payload, key: key), parts[2]) else { return nil }
        return token
    }

    private static func signature(_ payload: String, key: SymmetricKey) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(payload.utf8), using: key)
        return Data(mac).prefix(18).base64URLEncodedString()
    }
}
