import DemilgeCore
import Fluent
import SQLKit
import Vapor

/// Forgotten-password requests, turned into links by the outbox worker (the form only records them).
enum ResetRequests {
    /// Turns waiting requests into links, each in one transaction with its claim: an address with an enabled account
    /// gets a message with a new link; any other request is dropped. Returns how many requests were taken.
    @discardableResult
    static func send(_ app: Application, limit: Int = 50) async throws -> Int {
        let waiting = try await PasswordResetRequest.query(on: app.db).sort(\.$createdMillis).limit(limit).all()
        for request in waiting {
            guard let id = request.id else { continue }
            try await app.write(counted: false) { db in
                guard let sql = db as? any SQLDatabase,
                      try await sql.delete(from: PasswordResetRequest.schema).where("id", .equal, id).returning("id").all().count == 1,
                      let user = try await User.query(on: db).filter(\.$email == request.email).first(), !user.disabled,
                      let userID = user.id else { return }
                let token = ResetToken.make()
                try await PasswordReset(userID: userID, tokenHash: ResetToken.hash(token), origin: .email,
                                        expires: Date().addingTimeInterval(PasswordResetController.linkLifetime)).create(on: db)
                try await Outbox.enqueue("mail.password_reset", to: request.email, language: request.language,
                                         arguments: ["name": user.displayName, "link": PublicURL.base(app) + "/password/reset/" + token,
                                                     "minutes": String(Int(PasswordResetController.linkLifetime / 60))], on: db, app: app)
                try await AuditLog.record(on: db, by: .system("password-reset"), action: "user.password_reset_requested",
                                          entityType: "user", entityID: userID.uuidString.lowercased())
            }
        }
        return waiting.count
    }
}
