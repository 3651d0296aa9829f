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
        session.data["since"] = String(Date().millis)
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

    /// A session counts unless it began before the account's last password change or reset.
    static func isCurrent(_ since: String?, for user: User) -> Bool {
        guard let cutoff = user.sessionsSinceMillis else { return true }
        guard let since = since.flatMap({ Int64($0) }) else { return false }
        return since >= cutoff
    }
}
