import DemilgeCore
import Fluent
import Vapor

/// A reviewer's list for a call: every application they may review, with their conflicts (declared or found by
/// the server), what they have scored, and the declaration form as typed.
struct ReviewPage: Encodable {
    struct Row: Encodable {
        let id: String, title: String, organisation: String, territory: String, requested: String, status: String
        let conflict: String, isConflicted: Bool, automatic: Bool, scored: Bool, reason: String, checked: Bool
        /// A conflict can still be declared, or a declared one withdrawn (the reviewer has not scored it, review goes on).
        let open: Bool, declaredReason: String
    }

    let callID: String, callTitle: String, declared: Bool, rows: [Row], hasRows: Bool, form: FormState, errors: [String], hasErrors: Bool

    static func build(_ req: Request, _ call: GrantCall, form: FormState) async throws -> ReviewPage {
        let viewer = try await GrantViewer.load(req, call: call)
        guard let reviewer = viewer.reviewer else { throw DemilgeError.forbidden }
        let board = try await CallBoard.load(call, on: req.db)
        let rows = board.applications.filter { GrantReviewController.reviewable.contains($0.status) || GrantDisplay.awarded.contains($0.status) }.map { application in
            let conflict = viewer.conflict(with: application)
            let id = application.idString
            let scored = board.sheets(of: application).contains { $0.$reviewer.id == reviewer.id }
            let declaration = board.conflicts.first { $0.$reviewer.id == reviewer.id && $0.$application.id == application.id }
            return Row(id: id, title: application.title, organisation: application.organisation.name.text(req.language),
                       territory: application.territory.name.text(req.language), requested: GrantDisplay.money(application.requestedTyiyn, req),
                       status: req.t(application.status.catalogKey), conflict: conflict.map { req.t("grants.conflict.\($0.rawValue)") } ?? "",
                       isConflicted: conflict != nil, automatic: conflict != nil && conflict != .declared,
                       scored: scored, reason: form["reason_\(id)"], checked: form["conflict_\(id)"] == "on",
                       open: !scored && GrantReviewController.conflictOpen.contains(application.status), declaredReason: declaration?.reason ?? "")
        }
        return ReviewPage(
            callID: call.idString, callTitle: call.title, declared: reviewer.declaredAt != nil, rows: rows, hasRows: !rows.isEmpty, form: form,
            errors: form.errors.sorted { $0.key < $1.key }.map(\.value), hasErrors: !form.errors.isEmpty)
    }
}
