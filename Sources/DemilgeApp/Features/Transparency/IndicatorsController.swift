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
        var from: Day?
        var to: Day?
        var query: String

        static func read(_ req: Request) async throws -> Filter {
            let slug = req.query[String.self, at: "programme"] ?? ""
            let code = req.query[String.self, at: "territory"] ?? ""
            let from = req.query[String.self, at: "from"] ?? ""
            let to = req.query[String.self, at: "to"] ?? ""
            var filter = Filter(programme: nil, territory: nil, from: Day(from), to: Day(to), query: "")
            if !slug.isEmpty { filter.programme = try await Programme.query(on: req.db).filter(\.$slug == slug).first() }
            if !code.isEmpty { filter.territory = try await Territory.query(on: req.db).filter(\.$code == code).first() }
            var items: [URLQueryItem] = []
            if let p = filter.programme { items.append(URLQueryItem(name: "programme", value: p.slug)) }
            if let t = filter.territory { items.append(URLQueryItem(name: "territory", value: t.code)) }
            if let from = filter.from { items.append(URLQueryItem(name: "from", value: from.description)) }
            if let to = filter.to { items.append(URLQueryItem(name: "to", value: to.description)) }
            var components = URLComponents()
            components.queryItems = items
            filter.query = items.isEmpty ? "" : (components.percentEncodedQuery ?? "")
            return filter
        }

        func inPeriod(_ day: Day) -> Bool { from.map { day >= $0 } ?? true && to.map { day <= $0 } ?? true }
    }

    /// Every figure of the page.
    struct Figures: Sendable {
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

    /// The figures for one filter, from a fixed number of queries whatever the size of the data (no query per
    /// grant or session), and kept for a minute: the page and its two charts ask for the same figures at once.
    static func figures(_ filter: Filter, on db: any Database, cache: IndicatorsCache) async throws -> Figures {
        if let cached = await cache.figures(for: filter.query) { return cached }
        let figures = try await compute(filter, on: db)
        await cache.store(figures, for: filter.query)
        return figures
    }

    static func compute(_ filter: Filter, on db: any Database) async throws -> Figures {
        var figures = Figures()
        let directory = try await TerritoryDirectory.load(on: db)
        let places: [UUID]? = try filter.territory.map { Array(directory.subtree(of: try $0.requireID())) }

        let problems = Problem.query(on: db).filter(\.$hidden == false).filter(\.$mergedInto.$id == nil)
        if let places { problems.filter(\.$territory.$id ~~ places) }
        if let from = filter.from { problems.filter(\.$createdAt >= from.start) }
        if let end = filter.to?.start.addingTimeInterval(24 * 3600) { problems.filter(\.$createdAt < end) }
        figures.problemsRaised = try await problems.copy().count()
        figures.problemsSolved = try await problems.filter(\.$status == ProblemStatus.solved).count()

        let sessions = AssessmentSession.query(on: db)
        if let places { sessions.filter(\.$territory.$id ~~ places) }
        if let from = filter.from { sessions.filter(\.$heldOn >= from) }
        if let to = filter.to { sessions.filter(\.$heldOn <= to) }
        let sessionIDs = try await sessions.all(\.$id)
        figures.sessions = sessionIDs.count
        if !sessionIDs.isEmpty {
            for group in try await FocusGroup.query(on: db).filter(\.$session.$id ~~ sessionIDs).all() {
                figures.participants = figures.participants + group.participants
            }
        }

        // Ballots of rounds whose voting has closed: nothing is counted while a round is open.
        let rounds = BudgetRound.query(on: db).filter(\.$status ~~ [RoundStatus.counting, .published])
        if let places { rounds.filter(\.$territory.$id ~~ places) }
        if let from = filter.from { rounds.filter(\.$closesOn >= from) }
        if let to = filter.to { rounds.filter(\.$closesOn <= to) }
        let roundIDs = try await rounds.all(\.$id)
        if !roundIDs.isEmpty {
            let counts = try await RoundData.counts(roundIDs, on: db)
            figures.ballotsOnline = counts[.online] ?? 0
            figures.ballotsPaper = counts[.paper] ?? 0
            figures.ballotsImported = counts[.imported] ?? 0
        }

        let calls = GrantCall.query(on: db)
        if let programme = filter.programme { calls.filter(\.$programme.$id == (try programme.requireID())) }
        let callIDs = try await calls.all(\.$id)
        var awarded: [GrantApplication] = []
        if !callIDs.isEmpty {
            let query = GrantApplication.query(on: db).filter(\.$call.$id ~~ callIDs).filter(\.$status ~~ GrantDisplay.awarded).with(\.$lines)
            if let places { query.filter(\.$territory.$id ~~ places) }
            awarded = try await query.all()
        }
        let grantIDs = awarded.compactMap(\.id)
        if !grantIDs.isEmpty {
            let approvals = Dictionary(firstValues: try await GrantTransition.query(on: db).filter(\.$application.$id ~~ grantIDs)
                .filter(\.$to == GrantStatus.approved).all().map { ($0.$application.id, $0.at) })
            let records = try await GrantLedgerLoader.Records.load(grantIDs, on: db)
            let reports = Dictionary(firstValues: try await GrantReport.query(on: db).filter(\.$application.$id ~~ grantIDs).all().map { ($0.$application.id, $0) })
            var ledgers: [GrantLedger] = []
            for grant in awarded {
                guard let id = grant.id, filter.inPeriod(Day.today(approvals[id] ?? grant.submittedAt ?? Date())) else { continue }
                figures.grantsAwarded += 1
                ledgers.append(records.ledger(of: grant))
                guard let contract = records.contracts[id] else { continue }
                figures.grantsContracted += 1
                if [.completed, .closed].contains(grant.status) {
                    figures.grantsFinished += 1
                    if let report = reports[id], report.submittedOn <= contract.endsOn { figures.grantsOnTime += 1 }
                }
            }
            figures.ledger = GrantLedger.sum(ledgers)
        }

        let events = Event.query(on: db)
        if let places { events.filter(\.$host.$id ~~ places) }
        if let programme = filter.programme { events.filter(\.$programme.$id == (try programme.requireID())) }
        if let from = filter.from { events.filter(\.$heldOn >= from) }
        if let to = filter.to { events.filter(\.$heldOn <= to) }
        figures.events = try await events.count()
        return figures
    }

    /// Midnight in Bishkek of an ISO day, or nil for no day.
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
            let lines: [Line], programmes: [Option], places: [PlaceGroup], from: String, to: String, query: String, tableQuery: String
            let participants: [Row], bands: [String], money: [Row]
        }
        let filter = try await Filter.read(req)
        let f = try await Self.figures(filter, on: req.db, cache: req.application.indicatorsCache)
        let programmes = try await Programme.query(on: req.db).sort(\.$slug).all()
        return try await req.page("indicators/index", titleKey: "indicators.title", Content(
            lines: Self.lines(f, req),
            programmes: programmes.map { .init(value: $0.slug, label: $0.name.text(req.language), selected: $0.id == filter.programme?.id) },
            places: try await PlaceGroup.choices(req, selected: filter.territory?.code ?? "", includeTopLevel: true),
            from: filter.from?.description ?? "", to: filter.to?.description ?? "", query: filter.query.isEmpty ? "" : "?\(filter.query)",
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
        let f = try await Self.figures(filter, on: req.db, cache: req.application.indicatorsCache)
        switch req.query[String.self, at: "table"] {
        case "participants":
            let rows = Sex.allCases.map { sex in [sex.rawValue] + AgeBand.allCases.map { String(f.participants[sex, $0]) } + [String(f.participants.total(sex))] }
            return OpenData.csv(CSV.write(header: ["sex"] + AgeBand.allCases.map(\.rawValue) + ["total"], rows: rows), filename: "indicators-participants.csv")
        case "money":
            let rows = f.ledger.rows.map { [$0.source.rawValue, Money(minorUnits: $0.planned).plain(.always), Money(minorUnits: $0.paid).plain(.always), Money(minorUnits: $0.spent).plain(.always)] }
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
        let f = try await Self.figures(try await Filter.read(req), on: req.db, cache: req.application.indicatorsCache)
        let chart = BarChart(title: req.t("indicators.participants_chart"), categories: AgeBand.allCases.map { req.t($0.catalogKey) },
                             series: Sex.allCases.map { sex in BarChart.Series(name: req.t(sex.catalogKey), values: AgeBand.allCases.map { Int64(f.participants[sex, $0]) }) })
        return Self.svg(chart.svg { Formatters.integer($0, req.language) })
    }

    func moneyChart(req: Request) async throws -> Response {
        let rows = try await Self.figures(try await Filter.read(req), on: req.db, cache: req.application.indicatorsCache).ledger.rows
        let chart = BarChart(title: req.t("indicators.money_chart"), categories: rows.map { req.t($0.source.catalogKey) },
                             series: [BarChart.Series(name: req.t("grants.planned"), values: rows.map(\.planned)),
                                      BarChart.Series(name: req.t("grants.paid"), values: rows.map(\.paid)),
                                      BarChart.Series(name: req.t("grants.spent"), values: rows.map(\.spent))])
        return Self.svg(chart.svg { GrantDisplay.money($0, req) })
    }
}

/// Indicator figures by filter for a minute, at most a few hundred filters: a crawler walking every filter
/// cannot make the server keep more. Every write through `Application.write` clears it, so this instance never
/// shows figures older than its last change; another instance's change shows within the minute.
actor IndicatorsCache {
    static let lifetime: TimeInterval = 60
    static let capacity = 256
    private var entries: [String: (at: Date, figures: IndicatorsController.Figures)] = [:]

    func figures(for key: String, now: Date = Date()) -> IndicatorsController.Figures? {
        guard let entry = entries[key], now.timeIntervalSince(entry.at) < Self.lifetime else { return nil }
        return entry.figures
    }

    func store(_ figures: IndicatorsController.Figures, for key: String, now: Date = Date()) {
        if entries.count >= Self.capacity { entries = entries.filter { now.timeIntervalSince($0.value.at) < Self.lifetime } }
        if entries.count >= Self.capacity { entries.removeAll() }
        entries[key] = (now, figures)
    }

    func clear() { entries.removeAll() }
}

extension Application {
    private struct IndicatorsCacheKey: StorageKey { typealias Value = IndicatorsCache }

    var indicatorsCache: IndicatorsCache {
        get { storage[IndicatorsCacheKey.self] ?? IndicatorsCache() }
        set { storage[IndicatorsCacheKey.self] = newValue }
    }
}
