import DemilgeCore
import Fluent
import Vapor

/// Indicators for programme managers and the public, filtered by programme, territory (an oblast and all under it,
/// or any place) and period: problems, needs assessments and their participants, ballots, grants and their money
/// by source, co-funding leverage, completion. Charts are SVG drawn on the server, with the same numbers in tables
/// and as CSV.
struct IndicatorsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("indicators", use: page)
        routes.get("indicators.csv", use: csv)
        routes.get("indicators", "participants.svg", use: participantsChart)
        routes.get("indicators", "money.svg", use: moneyChart)
    }

    func page(req: Request) async throws -> Response {
        let filter = try await IndicatorFilter.read(req)
        let figures = try await IndicatorFigures.load(filter, req)
        return try await req.page("indicators/index", titleKey: "indicators.title", try await IndicatorsPage.build(req, filter, figures))
    }

    /// The indicators table, or with `table=participants` / `table=money` the table beside each chart, in plain numbers.
    func csv(req: Request) async throws -> Response {
        let filter = try await IndicatorFilter.read(req)
        let f = try await IndicatorFigures.load(filter, req)
        switch req.query[String.self, at: "table"] {
        case "participants":
            let rows = Sex.allCases.map { sex in [sex.rawValue] + AgeBand.allCases.map { String(f.participants[sex, $0]) } + [String(f.participants.total(sex))] }
            return OpenData.csv(CSV.write(header: ["sex"] + AgeBand.allCases.map(\.rawValue) + ["total"], rows: rows), filename: "indicators-participants.csv")
        case "money":
            let rows = f.ledger.rows.map { [$0.source.rawValue, Money(minorUnits: $0.planned).plain(.always), Money(minorUnits: $0.paid).plain(.always), Money(minorUnits: $0.spent).plain(.always)] }
            return OpenData.csv(CSV.write(header: ["source", "planned_som", "paid_som", "spent_som"], rows: rows), filename: "indicators-money.csv")
        default:
            let lines = IndicatorsPage.lines(f, req)
            return OpenData.csv(CSV.write(header: ["indicator", "label", "value"], rows: lines.map { [$0.key, $0.label, $0.value] }), filename: "indicators.csv")
        }
    }

    static func svg(_ text: String) -> Response {
        let response = Response(status: .ok, body: .init(string: text))
        response.headers.contentType = HTTPMediaType(type: "image", subType: "svg+xml", parameters: ["charset": "utf-8"])
        return response
    }

    func participantsChart(req: Request) async throws -> Response {
        let f = try await IndicatorFigures.load(try await IndicatorFilter.read(req), req)
        let chart = BarChart(title: req.t("indicators.participants_chart"), categories: AgeBand.allCases.map { req.t($0.catalogKey) },
                             series: Sex.allCases.map { sex in BarChart.Series(name: req.t(sex.catalogKey), values: AgeBand.allCases.map { Int64(f.participants[sex, $0]) }) })
        return Self.svg(chart.svg { Formatters.integer($0, req.language) })
    }

    func moneyChart(req: Request) async throws -> Response {
        let rows = try await IndicatorFigures.load(try await IndicatorFilter.read(req), req).ledger.rows
        let chart = BarChart(title: req.t("indicators.money_chart"), categories: rows.map { req.t($0.source.catalogKey) },
                             series: [BarChart.Series(name: req.t("grants.planned"), values: rows.map(\.planned)),
                                      BarChart.Series(name: req.t("grants.paid"), values: rows.map(\.paid)),
                                      BarChart.Series(name: req.t("grants.spent"), values: rows.map(\.spent))])
        return Self.svg(chart.svg { GrantDisplay.money($0, req) })
    }
}
