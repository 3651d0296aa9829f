import DemilgeCore
import Fluent
import Vapor

/// The round settings shared by the new-round form and the pabulib import.
enum RoundSettings {
    /// Reads and checks title, description, territory and voting window; returns the territory, or nil when it is
    /// unknown or the user may not run rounds there (then the form is refused as forbidden).
    static func read(_ req: Request, _ form: inout FormState) async throws -> Territory? {
        form.requireText("title", length: 3...200, req)
        form.optionalText("description", max: 5000, req)
        let territory = try await Territory.query(on: req.db).filter(\.$code == form["territory"]).first()
        var denied = false
        if let territory {
            if !req.can(.manageBudgetRound, on: try await TerritoryPath.target(try territory.requireID(), on: req.db)) {
                form.fail("territory", req.t("rounds.not_your_territory"), .forbidden)
                denied = true
            }
        } else {
            form.fail("territory", req.t("validation.choose_from_list"))
        }
        let opens = form.requireDay("opens_on", req), closes = form.requireDay("closes_on", req)
        if let opens, let closes, closes < opens { form.fail("closes_on", req.t("rounds.window_backwards")) }
        return denied ? nil : territory
    }
}
