import DemilgeCore
import Fluent
import Vapor

/// The public JSON API (`/api/v1/…`), read-only and paged, described by the OpenAPI 3.1 document at
/// `/api/openapi.json` (`OpenAPIDocument`). Amounts are decimal strings in the currency's units, never floats.
struct APIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let api = routes.grouped("api", "v1")
        api.get("territories", use: territories)
        api.get("territories", ":code", use: territory)
        api.get("organisations", use: organisations)
        api.get("programmes", use: programmes)
        api.get("problems", use: problems)
        api.get("problems", ":id", use: problem)
        api.get("rounds", use: rounds)
        api.get("grant-calls", use: calls)
        api.get("grants", use: grants)
        api.get("grants", ":id", use: grant)
        api.get("events", use: events)
        api.get("practices", use: practices)
        routes.get("api", "openapi.json") { req in try await OpenAPIDocument.response(req) }
        // Every list also as CSV, from the same items: nested fields become columns ("name.ky"), arrays are joined.
        let lists: [(String, @Sendable (Request) async throws -> Response)] = [
            ("territories", territories), ("organisations", organisations), ("programmes", programmes), ("problems", problems),
            ("rounds", rounds), ("grant-calls", calls), ("grants", grants), ("events", events), ("practices", practices),
        ]
        for (name, handler) in lists {
            api.get("\(name).csv") { req in try await Self.csv(name, req, handler) }
        }
    }

    /// Walks all pages of a list and writes them as one CSV file.
    static func csv(_ name: String, _ req: Request, _ handler: (Request) async throws -> Response) async throws -> Response {
        let filters = (req.url.query ?? "").split(separator: "&").filter { !$0.hasPrefix("page=") && !$0.hasPrefix("per_page=") }.joined(separator: "&")
        var rows: [[String: String]] = []
        var page = 1
        while true {
            req.url.query = (filters.isEmpty ? "" : filters + "&") + "per_page=\(Paging.maximum)&page=\(page)"
            let response = try await handler(req)
            guard let data = response.body.data, let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let items = object["items"] as? [[String: Any]], let total = object["total"] as? Int else { break }
            rows += items.map { flatten($0) }
            if page * Paging.maximum >= total || items.isEmpty || page >= ListPage.maximumPage { break }
            page += 1
        }
        let columns = rows.reduce(into: [String]()) { columns, row in for key in row.keys.sorted() where !columns.contains(key) { columns.append(key) } }
        return OpenData.csv(CSV.write(header: columns, rows: rows.map { row in columns.map { row[$0] ?? "" } }), filename: "\(name).csv")
    }

    static func flatten(_ object: [String: Any], prefix: String = "") -> [String: String] {
        var out: [String: String] = [:]
        for (key, value) in object {
            let name = prefix.isEmpty ? key : "\(prefix).\(key)"
            switch value {
            case let nested as [String: Any]: out.merge(flatten(nested, prefix: name)) { a, _ in a }
            case let array as [Any]: out[name] = array.map { "\($0)" }.joined(separator: " ")
            case is NSNull: out[name] = ""
            default: out[name] = "\(value)"
            }
        }
        return out
    }

    static func amount(_ minorUnits: Int64) -> String { Money(minorUnits: minorUnits).plain(.always) }

    // MARK: - Handlers

    func territories(req: Request) async throws -> Response {
        let codes = try await req.territoryDirectory().codes
        return try await Paging(req).apply(Territory.query(on: req.db).sort(\.$code), on: req) { list in
            list.map { TerritoryItem(code: $0.code, kind: $0.kind.rawValue, name: $0.name, parentCode: $0.$parent.id.flatMap { codes[$0] }) }
        }
    }

    func territory(req: Request) async throws -> Response {
        guard let t = try await Territory.query(on: req.db).filter(\.$code == req.parameters.get("code") ?? "").first() else { throw Abort(.notFound) }
        let parent = try await t.$parent.id.asyncFlatMap { try await Territory.find($0, on: req.db)?.code }
        return try await OpenData.json(TerritoryItem(code: t.code, kind: t.kind.rawValue, name: t.name, parentCode: parent), on: req)
    }

    func organisations(req: Request) async throws -> Response {
        let codes = try await req.territoryDirectory().codes
        return try await Paging(req).apply(Organisation.query(on: req.db).sort(\.$slug), on: req) { list in
            list.map { OrganisationItem(slug: $0.slug, kind: $0.kind.rawValue, legalForm: $0.legalForm, name: $0.name, territoryCode: $0.territoryID.flatMap { codes[$0] }) }
        }
    }

    func programmes(req: Request) async throws -> Response {
        try await Paging(req).apply(Programme.query(on: req.db).with(\.$donor).with(\.$implementer).sort(\.$slug), on: req) { list in
            list.map { p in
                ProgrammeItem(slug: p.slug, name: p.name, summary: p.summary, donorSlug: p.donor?.slug, implementerSlug: p.implementer?.slug,
                              startMonth: p.startMonth?.description, endMonth: p.endMonth?.description,
                              budget: p.budgetMinor.flatMap { minor in p.budgetCurrency.map { Budget(amount: Self.amount(minor), currency: $0) } })
            }
        }
    }

    static func problemItem(_ p: Problem, _ codes: [UUID: String]) -> ProblemItem {
        ProblemItem(id: p.idString, title: p.title, description: p.description, category: p.category.rawValue, status: p.status.rawValue,
                    territoryCode: codes[p.$territory.id] ?? "", supporters: p.supportCount, createdAt: Formatters.isoDateTime(p.createdAt ?? Date()))
    }

    func problems(req: Request) async throws -> Response {
        let codes = try await req.territoryDirectory().codes
        let query = Problem.query(on: req.db).filter(\.$hidden == false).filter(\.$mergedInto.$id == nil).sort(\.$createdAt, .descending)
        if let code = req.query[String.self, at: "territory"] {
            guard let territory = try await Territory.query(on: req.db).filter(\.$code == code).first() else { throw Abort(.notFound) }
            query.filter(\.$territory.$id ~~ Array(try await req.territoryDirectory().subtree(of: (try territory.requireID()))))
        }
        return try await Paging(req).apply(query, on: req) { list in list.map { Self.problemItem($0, codes) } }
    }

    func problem(req: Request) async throws -> Response {
        guard let id = req.parameters.get("id")?.uuid, let p = try await Problem.find(id, on: req.db), !p.hidden else { throw Abort(.notFound) }
        return try await OpenData.json(Self.problemItem(p, try await req.territoryDirectory().codes), on: req)
    }

    func rounds(req: Request) async throws -> Response {
        let codes = try await req.territoryDirectory().codes
        return try await Paging(req).apply(BudgetRound.query(on: req.db).filter(\.$status != RoundStatus.draft).sort(\.$opensOn, .descending), on: req) { list in
            list.map { r in
                RoundItem(id: r.idString, title: r.title, territoryCode: codes[r.$territory.id] ?? "", envelopeSom: Self.amount(r.envelopeTyiyn),
                          status: r.status.rawValue, ballotType: r.type.rawValue, rule: r.rule.rawValue, opensOn: r.opensOn.description, closesOn: r.closesOn.description)
            }
        }
    }

    func calls(req: Request) async throws -> Response {
        try await Paging(req).apply(GrantCall.query(on: req.db).filter(\.$status != CallStatus.draft).with(\.$programme).sort(\.$deadline, .descending), on: req) { list in
            list.map { c in
                CallItem(id: c.idString, programmeSlug: c.programme.slug, title: c.title, status: c.status.rawValue, budgetSom: Self.amount(c.budgetTyiyn),
                         minGrantSom: Self.amount(c.minGrantTyiyn), maxGrantSom: Self.amount(c.maxGrantTyiyn), cofundingPercent: c.coFundingPercent, deadline: c.deadline.description)
            }
        }
    }

    /// Grants that are public: everything submitted; the money only once awarded.
    static func grantItem(_ a: GrantApplication, _ codes: [UUID: String], money: [MoneyRow]?) -> GrantItem {
        GrantItem(id: a.idString, callId: a.$call.id.uuidString.lowercased(), title: a.title, organisationSlug: a.organisation.slug,
                  territoryCode: codes[a.$territory.id] ?? "", status: a.status.rawValue, grantSom: amount(a.requestedTyiyn), totalSom: amount(a.totalTyiyn), money: money)
    }

    func grants(req: Request) async throws -> Response {
        let codes = try await req.territoryDirectory().codes
        let query = GrantApplication.query(on: req.db).filter(\.$status != GrantStatus.draft).with(\.$organisation).sort(\.$title)
        if let status = try req.queryState(GrantStatus.self, at: "status") { query.filter(\.$status == status) }
        return try await Paging(req).apply(query, on: req) { list in list.map { Self.grantItem($0, codes, money: nil) } }
    }

    func events(req: Request) async throws -> Response {
        let codes = try await req.territoryDirectory().codes
        let query = Event.query(on: req.db).with(\.$invited).with(\.$programme).sort(\.$heldOn, .descending)
        if let kind = try req.queryState(EventKind.self, at: "kind") { query.filter(\.$kind == kind) }
        return try await Paging(req).apply(query, on: req) { list in
            list.map { e in
                let counts = Participants.allKeys.reduce(into: [String: Int]()) { $0[$1.key] = e.participants[$1.sex, $1.band] }
                return EventItem(id: e.idString, kind: e.kind.rawValue, title: e.title, heldOn: e.heldOn.description, hostCode: codes[e.$host.id] ?? "",
                                 invitedCodes: e.invited.map(\.code).sorted(), programmeSlug: e.programme?.slug, participants: counts, participantsNote: e.participantsNote)
            }
        }
    }

    func practices(req: Request) async throws -> Response {
        let codes = try await req.territoryDirectory().codes
        let query = Practice.query(on: req.db).sort(\.$publishedOn, .descending)
        if let theme = try req.queryState(ProblemCategory.self, at: "theme") { query.filter(\.$theme == theme) }
        return try await Paging(req).apply(query, on: req) { list in
            list.map { p in
                PracticeItem(id: p.idString, title: p.title, theme: p.theme.rawValue, territoryCode: codes[p.$territory.id] ?? "",
                             grantId: p.$grant.id?.uuidString.lowercased(), grantSom: Self.amount(p.grantTyiyn), localBudgetSom: Self.amount(p.localBudgetTyiyn),
                             communitySom: Self.amount(p.communityTyiyn), otherSom: Self.amount(p.otherTyiyn), contact: p.contact, publishedOn: p.publishedOn.description)
            }
        }
    }

    func grant(req: Request) async throws -> Response {
        guard let id = req.parameters.get("id")?.uuid,
              let a = try await GrantApplication.query(on: req.db).filter(\.$id == id).with(\.$organisation).with(\.$lines).first(),
              a.status != .draft else { throw Abort(.notFound) }
        var money: [MoneyRow]? = nil
        if GrantDisplay.awarded.contains(a.status) {
            let ledger = try await GrantLedgerLoader.ledger(of: a, on: req.db)
            money = ledger.rows.map { MoneyRow(source: $0.source.rawValue, plannedSom: Self.amount($0.planned), paidSom: Self.amount($0.paid), spentSom: Self.amount($0.spent)) }
        }
        return try await OpenData.json(Self.grantItem(a, try await req.territoryDirectory().codes, money: money), on: req)
    }
}
