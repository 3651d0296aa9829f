import DemilgeCore
import Fluent
import Vapor

/// The new-round form with what was typed: places, ballot types and the rules a round may be counted by.
struct RoundFormPage: Encodable {
    let form: FormState
    let places: [PlaceGroup]
    let ballotTypes: [Option]
    let rules: [Option]
    let eligibilities: [Option]

    static func build(_ req: Request, _ form: FormState) async throws -> RoundFormPage {
        RoundFormPage(
            form: form, places: try await PlaceGroup.choices(req, selected: form["territory"], includeTopLevel: true),
            ballotTypes: BallotType.allCases.map { Option(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0.rawValue == form["ballot_type"]) },
            rules: ruleOptions(req, selected: form["rule"]),
            eligibilities: RoundEligibility.allCases.map {
                Option(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0.rawValue == (form["eligibility"].isEmpty ? RoundEligibility.verified.rawValue : form["eligibility"]))
            })
    }

    /// The rules a round may be counted by; the default (MES with add-one, greedy completion) when none is chosen.
    static func ruleOptions(_ req: Request, selected: String) -> [Option] {
        let chosen = selected.isEmpty ? BudgetingRule.mesCostSatAddOneGreedy.rawValue : selected
        return [BudgetingRule.greedyCostSat, .mesCostSatAddOneGreedy, .mesCostSat, .mesCostSatGreedy, .mesCostSatAddOne, .greedyPoints, .mesAdditiveCardinalSat].map {
            Option(value: $0.rawValue, label: req.t("rule.\($0.rawValue)"), selected: $0.rawValue == chosen)
        }
    }
}
