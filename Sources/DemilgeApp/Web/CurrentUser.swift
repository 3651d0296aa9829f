import DemilgeCore
import Fluent
import Vapor

extension Request {
    private struct PrincipalKey: StorageKey { typealias Value = Principal }
    private struct UserKey: StorageKey { typealias Value = User }

    /// The signed-in user and their role grants, or a visitor.
    var actor: Principal {
        get { storage[PrincipalKey.self] ?? .visitor }
        set { storage[PrincipalKey.self] = newValue }
    }

    var currentUser: User? {
        get { storage[UserKey.self] }
        set { storage[UserKey.self] = newValue }
    }

    /// Signs `user` in under a new session ID (the old one is deleted), so an ID someone saw or
    /// planted before sign-in is worth nothing after it. The CSRF token is renewed too.
    func signIn(_ user: User) async throws {
        if let old = session.id {
            try await application.sessions.driver.deleteSession(old, for: self).get()
            session.id = nil
        }
        session.data["user"] = try user.requireID().uuidString
        // The account's session epoch as this sign-in saw it: a password change or reset moves it, ending this session
        // even if it was being made while the change committed.
        session.data["since"] = String(user.sessionsSinceMillis ?? 0)
        session.data["privileges"] = String(user.privilegesSinceMillis ?? 0)
        let now = String(Date().millis)
        session.data["signed_in"] = now
        session.data["seen"] = now
        session.data["csrf"] = nil
    }

    func signOut() {
        session.destroy()
    }

    /// The signed-in user, or a redirect to the sign-in page.
    func requireUser() throws -> User {
        guard let user = currentUser else { throw DemilgeError.signInRequired }
        return user
    }

    var auditActor: AuditActor {
        actor.userID.map(AuditActor.user) ?? .system("visitor")
    }
}

/// How long a signed-in session lasts: it ends after `idle` without a request and `absolute` after sign-in, however
/// busy. `seen` is written at most every `touch`, so an active reader does not write on every page.
enum SessionLifetime {
    static let idle: Int64 = 24 * 3600 * 1000
    static let absolute: Int64 = 14 * 24 * 3600 * 1000
    static let touch: Int64 = 5 * 60 * 1000
}

/// Loads the user named by the session, with their grants, for every request; ends an expired session and moves a
/// session whose account's roles changed since sign-in to a new ID.
struct CurrentUserMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        // Only a request that brought a session cookie has a user; touching `session` otherwise
        // would create and store an empty session for every anonymous page view.
        if request.hasSession, let raw = request.session.data["user"], let id = UUID(uuidString: raw),
           let user = try await User.query(on: request.db).filter(\.$id == id).with(\.$roles).first(),
           !user.disabled, Self.isCurrent(request.session.data["since"], for: user) {
            if try await Self.keep(request.session, of: user, request) {
                request.currentUser = user
                request.actor = Principal(userID: id, grants: user.roles.compactMap(\.grant))
            }
        }
        return try await next.respond(to: request)
    }

    /// False (and the session ended) when it has expired; otherwise notes the request and rotates the ID if needed.
    private static func keep(_ session: Session, of user: User, _ request: Request) async throws -> Bool {
        let now = Date().millis
        let signedIn = session.data["signed_in"].flatMap { Int64($0) } ?? now
        let seen = session.data["seen"].flatMap { Int64($0) } ?? now
        // Compared with `now` minus a limit, never subtracted from: a corrupted stored time cannot overflow.
        guard signedIn >= now - SessionLifetime.absolute, seen >= now - SessionLifetime.idle else {
            session.destroy()
            return false
        }
        if session.data["signed_in"] == nil { session.data["signed_in"] = String(signedIn) }
        if session.data["seen"] == nil || seen < now - SessionLifetime.touch { session.data["seen"] = String(now) }
        let privileges = String(user.privilegesSinceMillis ?? 0)
        if (session.data["privileges"] ?? "0") != privileges {
            // New roles under a new session ID: an ID seen or planted before the change is worth nothing after it.
            if let old = session.id { try await request.application.sessions.driver.deleteSession(old, for: request).get() }
            session.id = nil
            session.data["privileges"] = privileges
        }
        return true
    }

    /// A session counts while the account's session epoch is the one it was signed in at (sessions from before
    /// epochs existed count until the first change).
    static func isCurrent(_ since: String?, for user: User) -> Bool {
        (since.flatMap { Int64($0) } ?? 0) == (user.sessionsSinceMillis ?? 0)
    }
}
