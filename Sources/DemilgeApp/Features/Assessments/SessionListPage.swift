import DemilgeCore
import Fluent
import Vapor

/// Every needs-assessment session, newest first.
struct SessionListPage: Encodable {
    let sessions: [SessionRow]
    let canRecord: Bool

    static func build(_ req: Request) async throws -> SessionListPage {
        let sessions = try await AssessmentSession.query(on: req.db).with(\.$territory).with(\.$groups).sort(\.$heldOn, .descending).all()
        return SessionListPage(sessions: sessions.map { SessionRow.of($0, req) }, canRecord: Policy.allowsSomewhere(req.actor, .recordFieldWork))
    }
}
