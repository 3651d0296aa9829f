import DemilgeCore
import Fluent
import Vapor

/// The indicators page: every figure as a labelled line, the participants and money tables beside the charts, and
/// the filter's choices.
struct IndicatorsPage: Encodable {
    struct Row: Encodable { let label: String; let cells: [String]; let total: String }
    let lines: [Line], programmes: [Option], places: [PlaceGroup], from: String, to: String, query: String, tableQuery: String
    let participants: [Row], bands: [String], money: [Row]

    static func build(_ req: Request, _ filter: IndicatorFilter, _ f: IndicatorFigures) async throws -> IndicatorsPage {
        async let programmes = Programme.query(on: req.db).sort(\.$slug).all()
        async let places = PlaceGroup.narrowing(req, selected: filter.territory?.code ?? "")
        return IndicatorsPage(
            lines: lines(f, req),
            programmes: try await programmes.map { .init(value: $0.slug, label: $0.name.text(req.language), selected: $0.id == filter.programme?.id) },
            places: try await places,
            from: filter.from?.description ?? "", to: filter.to?.description ?? "", query: filter.query.isEmpty ? "" : "?\(filter.query)",
            tableQuery: filter.query.isEmpty ? "?table=" : "?\(filter.query)&table=",
            participants: Sex.allCases.map { sex in
                Row(label: req.t(sex.catalogKey), cells: AgeBand.allCases.map { String(f.participants[sex, $0]) }, total: String(f.participants.total(sex)))
            },
            bands: AgeBand.allCases.map { req.t($0.catalogKey) },
            money: f.ledger.rows.map { Row(label: req.t($0.source.catalogKey), cells: [$0.planned, $0.paid, $0.spent].map { GrantDisplay.money($0, req) }, total: "") })
    }

    struct Line: Encodable { let key: String, label: String, value: String }

    static func percent(_ rate: Rational?, _ req: Request) -> String {
        rate.map { Formatters.percent(($0 * Rational(100)).decimal(digits: 1), fractionDigits: 1, req.language) } ?? "—"
    }

    static func lines(_ f: IndicatorFigures, _ req: Request) -> [Line] {
        let count = { (n: Int) in Formatters.integer(Int64(n), req.language) }
        let ledger = f.ledger
        var lines = [
            Line(key: "problems_raised", label: req.t("indicators.problems_raised"), value: count(f.problemsRaised)),
            Line(key: "problems_solved", label: req.t("indicators.problems_solved"), value: count(f.problemsSolved)),
            Line(key: "assessment_sessions", label: req.t("indicators.sessions"), value: count(f.sessions)),
            Line(key: "assessment_participants", label: req.t("indicators.participants"), value: count(f.participants.total)),
            Line(key: "ballots_online", label: req.t("indicators.ballots_online"), value: count(f.ballotsOnline)),
            Line(key: "ballots_paper", label: req.t("indicators.ballots_paper"), value: count(f.ballotsPaper)),
            Line(key: "grants_awarded", label: req.t("indicators.grants_awarded"), value: count(f.grantsAwarded)),
            Line(key: "events", label: req.t("indicators.events"), value: count(f.events)),
        ]
        for row in ledger.rows {
            lines.append(Line(key: "planned_\(row.source.rawValue)", label: "\(req.t("grants.planned")): \(req.t(row.source.catalogKey))", value: GrantDisplay.money(row.planned, req)))
            lines.append(Line(key: "paid_\(row.source.rawValue)", label: "\(req.t("grants.paid")): \(req.t(row.source.catalogKey))", value: GrantDisplay.money(row.paid, req)))
            lines.append(Line(key: "spent_\(row.source.rawValue)", label: "\(req.t("grants.spent")): \(req.t(row.source.catalogKey))", value: GrantDisplay.money(row.spent, req)))
        }
        lines.append(Line(key: "cofunding_leverage", label: req.t("indicators.leverage"),
                          value: ledger.leverage.map { Formatters.decimal($0.decimal(digits: 2), fractionDigits: 2, req.language) } ?? "—"))
        lines.append(Line(key: "completion_rate", label: req.t("indicators.completion"), value: percent(f.completionRate, req)))
        lines.append(Line(key: "on_time_rate", label: req.t("indicators.on_time"), value: percent(f.onTimeRate, req)))
        return lines
    }
}
