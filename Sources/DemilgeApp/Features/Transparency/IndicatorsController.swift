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

    struct Filter {
        var programme: Programme?
        var territory: Territory?
        var from: String
        var to: String
        var query: String

        static func read(_ req: Request) async throws -> Filter {
            let slug = req.query[String.self, at: "programme"] ?? ""
            let code = req.query[String.self, at: "territory"] ?? ""
            let from = req.query[String.self, at: "from"] ?? ""
            let to = req.query[String.self, at: "to"] ?? ""
            var filter = Filter(programme: nil, territory: nil, from: GrantLines.isDay(from) ? from : "", to: GrantLines.isDay(to) ? to : "", query: "")
            if !slug.isEmpty { filter.programme = try await Programme.query(on: req.db).filter(\.$slug == slug).first() }
            if !code.isEmpty { filter.territory = try await Territory.query(on: req.db).filter(\.$code == code).first() }
            var items: [URLQueryItem] = []
            if let p = filter.programme { items.append(URLQueryItem(name: "programme", value: p.slug)) }
            if let t = filter.territory { items.append(URLQueryItem(name: "territory", value: t.code)) }
            if !filter.from.isEmpty { items.append(URLQueryItem(name: "from", value: filter.from)) }
            if !filter.to.isEmpty { items.append(URLQueryItem(name: "to", value: filter.to)) }
            var components = URLComponents()
            components.queryItems = items
            filter.query = items.isEmpty ? "" : (components.percentEncodedQuery ?? "")
            return filter
        }

        func inPeriod(_ isoDay: String) -> Bool { (from.isEmpty || isoDay >= from) && (to.isEmpty || isoDay <= to) }
    }

    /// Every figure of the page, computed once per request.
    struct Figures {
        var problemsRaised = 0, problemsSolved = 0, sessions = 0
        var participants = Participants()
        var ballotsOnline = 0, ballotsPaper = 0, ballotsImported = 0
        var grantsAwarded = 0, grantsFinished = 0, grantsContracted = 0, grantsOnTime = 0
        var events = 0
        var ledger = GrantLedger(planned: [:], paid: [:], spent: [:])
        /// Share of contracted grants that are completed or closed, and of those finished by the agreement's end date.
        var completionRate: Rational? { grantsContracted == 0 ? nil : Rational(grantsFinished) / Rational(grantsContracted) }
        var onTimeRate: Rational? { grantsFinished == 0 ? nil : Rational(grantsOnTime) / Rational(grantsFinished) }
    }

    static func figures(_ filter: Filter, on db: any Database) async throws -> Figures {
        var figures = Figures()
        let directory = try await TerritoryDirectory.load(on: db)
        let places: [UUID]? = filter.territory.map { Array(directory.subtree(of: $0.id!)) }
        func inPlace(_ id: UUID) -> Bool { places.map { $0.contains(id) } ?? true }

        let problems = try await Problem.query(on: db).filter(\.$hidden == false).filter(\.$mergedInto.$id == nil).all()
            .filter { inPlace($0.$territory.id) && filter.inPeriod(Formatters.isoDate($0.createdAt ?? Date())) }
        figures.problemsRaised = problems.count
        figures.problemsSolved = problems.filter { $0.problemStatus == .solved }.count

        let sessions = try await AssessmentSession.query(on: db).all().filter { inPlace($0.$territory.id) && filter.inPeriod($0.heldOn) }
        figures.sessions = sessions.count
        if !sessions.isEmpty {
            for group in try await FocusGroup.query(on: db).filter(\.$session.$id ~~ sessions.compactMap(\.id)).all() {
                figures.participants = figures.participants + JSONColumn.decode(Participants.self, group.participantsJSON, or: Participants())
            }
        }

        let rounds = try await BudgetRound.query(on: db).all().filter { inPlace($0.$territory.id) && filter.inPeriod($0.closesOn) }
        if !rounds.isEmpty {
            let ids = rounds.compactMap(\.id)
            for channel in ["online", "paper", "imported"] {
                let count = try await BudgetBallot.query(on: db).filter(\.$round.$id ~~ ids).filter(\.$channel == channel).count()
                switch channel {
                case "online": figures.ballotsOnline = count
                case "paper": figures.ballotsPaper = count
                default: figures.ballotsImported = count
                }
            }
        }

        let calls = try await GrantCall.query(on: db).all().filter { filter.programme == nil || $0.$programme.id == filter.programme?.id }
        let awarded = calls.isEmpty ? [] : try await GrantApplication.query(on: db).filter(\.$call.$id ~~ calls.compactMap(\.id))
            .filter(\.$status ~~ GrantDisplay.awarded.map(\.rawValue)).with(\.$lines).all().filter { inPlace($0.$territory.id) }
        for grant in awarded {
            let approvedOn = try await GrantTransition.query(on: db).filter(\.$application.$id == grant.id!).filter(\.$to == GrantStatus.approved.rawValue).first()
            guard filter.inPeriod(Formatters.isoDate(approvedOn?.at ?? grant.submittedAt ?? Date())) else { continue }
            figures.grantsAwarded += 1
            let contract = try await GrantContract.query(on: db).filter(\.$application.$id == grant.id!).first()
            let payments = try await GrantPayment.query(on: db).filter(\.$application.$id == grant.id!).all()
            figures.ledger = GrantLedger.sum([figures.ledger, GrantLedgerLoader.ledger(of: grant, contract: contract, payments: payments)])
            guard let contract else { continue }
            figures.grantsContracted += 1
            if [.completed, .closed].contains(grant.grantStatus) {
                figures.grantsFinished += 1
                let report = try await GrantReport.query(on: db).filter(\.$application.$id == grant.id!).first()
                if let report, report.submittedOn <= contract.endsOn { figures.grantsOnTime += 1 }
            }
        }

        figures.events = try await Event.query(on: db).all().filter {
            inPlace($0.$host.id) && filter.inPeriod($0.heldOn) && (filter.programme == nil || $0.$programme.id == filter.programme?.id)
        }.count
        return figures
    }

    struct Line: Encodable { let key: String, label: String, value: String }

    static func percent(_ rate: Rational?, _ req: Request) -> String {
        rate.map { Formatters.decimal(($0 * Rational(100)).decimal(digits: 1), fractionDigits: 1, req.language) + " %" } ?? "—"
    }

    static func lines(_ f: Figures, _ req: Request) -> [Line] {
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

    func page(req: Request) async throws -> Response {
        struct Row: Encodable { let label: String; let cells: [String]; let total: String }
        struct Content: Encodable {
            let lines: [Line], programmes: [ProblemController.Option], places: [AccountController.PlaceGroup], from: String, to: String, query: String, tableQuery: String
            let participants: [Row], bands: [String], money: [Row]
        }
        let filter = try await Filter.read(req)
        let f = try await Self.figures(filter, on: req.db)
        let programmes = try await Programme.query(on: req.db).sort(\.$slug).all()
        return try await req.page("indicators/index", titleKey: "indicators.title", Content(
            lines: Self.lines(f, req),
            programmes: programmes.map { .init(value: $0.slug, label: $0.name.text(req.language), selected: $0.id == filter.programme?.id) },
            places: try await AccountController.placeGroups(req, selected: filter.territory?.code ?? "", includeTopLevel: true),
            from: filter.from, to: filter.to, query: filter.query.isEmpty ? "" : "?\(filter.query)",
            tableQuery: filter.query.isEmpty ? "?table=" : "?\(filter.query)&table=",
            participants: Sex.allCases.map { sex in
                Row(label: req.t(sex.catalogKey), cells: AgeBand.allCases.map { String(f.participants[sex, $0]) }, total: String(f.participants.total(sex)))
            },
            bands: AgeBand.allCases.map { req.t($0.catalogKey) },
            money: f.ledger.rows.map { Row(label: req.t($0.source.catalogKey), cells: [$0.planned, $0.paid, $0.spent].map { GrantDisplay.money($0, req) }, total: "") }))
    }

    /// The indicators table, or with `table=participants` / `table=money` the table beside each chart, in plain numbers.
    func csv(req: Request) async throws -> Response {
        let filter = try await Filter.read(req)
        let f = try await Self.figures(filter, on: req.db)
        switch req.query[String.self, at: "table"] {
        case "participants":
            let rows = Sex.allCases.map { sex in [sex.rawValue] + AgeBand.allCases.map { String(f.participants[sex, $0]) } + [String(f.participants.total(sex))] }
            return OpenData.csv(CSV.write(header: ["sex"] + AgeBand.allCases.map(\.rawValue) + ["total"], rows: rows), filename: "indicators-participants.csv")
        case "money":
            let rows = f.ledger.rows.map { [$0.source.rawValue, Money(minorUnits: $0.planned).plainDecimal, Money(minorUnits: $0.paid).plainDecimal, Money(minorUnits: $0.spent).plainDecimal] }
            return OpenData.csv(CSV.write(header: ["source", "planned_som", "paid_som", "spent_som"], rows: rows), filename: "indicators-money.csv")
        default:
            let lines = Self.lines(f, req)
            return OpenData.csv(CSV.write(header: ["indicator", "label", "value"], rows: lines.map { [$0.key, $0.label, $0.value] }), filename: "indicators.csv")
        }
    }

    static func svg(_ text: String) -> Response {
        let response = Response(status: .ok, body: .init(string: text))
        response.headers.contentType = HTTPMediaType(type: "image", subType: "svg+xml", parameters: ["charset": "utf-8"])
        return response
    }

    func participantsChart(req: Request) async throws -> Response {
        let f = try await Self.figures(try await Filter.read(req), on: req.db)
        let chart = BarChart(title: req.t("indicators.participants_chart"), categories: AgeBand.allCases.map { req.t($0.catalogKey) },
                             series: Sex.allCases.map { sex in BarChart.Series(name: req.t(sex.catalogKey), values: AgeBand.allCases.map { Int64(f.participants[sex, $0]) }) })
        return Self.svg(chart.svg { Formatters.integer($0, req.language) })
    }

    func moneyChart(req: Request) async throws -> Response {
        let rows = try await Self.figures(try await Filter.read(req), on: req.db).ledger.rows
        let chart = BarChart(title: req.t("indicators.money_chart"), categories: rows.map { req.t($0.source.catalogKey) },
                             series: [BarChart.Series(name: req.t("grants.planned"), values: rows.map(\.planned)),
                                      BarChart.Series(name: req.t("grants.paid"), values: rows.map(\.paid)),
                                      BarChart.Series(name: req.t("grants.spent"), values: rows.map(\.spent))])
        return Self.svg(chart.svg { GrantDisplay.money($0, req) })
    }
}
