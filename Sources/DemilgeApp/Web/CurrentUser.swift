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

/// Loads the user named by the session, with their grants, for every request.
struct CurrentUserMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        // Only a request that brought a session cookie has a user; touching `session` otherwise
        // would create and store an empty session for every anonymous page view.
        if request.hasSession, let raw = request.session.data["user"], let id = UUID(uuidString: raw),
           let user = try await User.query(on: request.db).filter(\.$id == id).with(\.$roles).first(),
           !user.disabled, Self.isCurrent(request.session.data["since"], for: user) {
            request.currentUser = user
            request.actor = Principal(userID: id, grants: user.roles.compactMap(\.grant))
        }
        return try await next.respond(to: request)
    }

    /// A session counts while the account's session epoch is the one it was signed in at (sessions from before
    /// epochs existed count until the first change).
    static func isCurrent(_ since: String?, for user: User) -> Bool {
        (since.flatMap { Int64($0) } ?? 0) == (user.sessionsSinceMillis ?? 0)
    }
}
