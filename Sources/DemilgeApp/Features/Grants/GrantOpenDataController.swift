import DemilgeCore
import Fluent
import Vapor

/// The public record of the grants: awarded applications by oblast, and calls, awards, contracts and
/// disbursements as CSV and JSON. Amounts are in som with two decimals; no personal contact data, no reviewer comments.
struct GrantOpenDataController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("grants", "grantees", use: grantees)
        for name in ["calls", "awards", "contracts", "disbursements"] {
            routes.get("grants", "\(name).csv") { req in try await Self.table(name, req).csv(filename: "\(name).csv") }
            routes.get("grants", "\(name).json") { req in try await Self.table(name, req).json(on: req) }
        }
    }

    // MARK: - Grantees by oblast

    func grantees(req: Request) async throws -> Response {
        try await req.page("grants/grantees", titleKey: "grants.by_oblast", try await GranteesPage.build(req))
    }

    // MARK: - Tables

    struct Table {
        let header: [String]
        let rows: [[String]]

        func csv(filename: String) -> Response { OpenData.csv(CSV.write(header: header, rows: rows), filename: filename) }

        func json(on req: Request) async throws -> Response {
            try await OpenData.json(rows.map { Dictionary(firstValues: zip(header, $0)) }, on: req)
        }
    }

    static func som(_ tyiyn: Int64) -> String { Money(minorUnits: tyiyn).plain(.always) }

    static func table(_ name: String, _ req: Request) async throws -> Table {
        switch name {
        case "calls":
            let calls = try await GrantCall.query(on: req.db).filter(\.$status != CallStatus.draft).with(\.$programme).sort(\.$deadline).all()
            return Table(header: ["id", "programme", "title", "status", "budget_som", "min_grant_som", "max_grant_som", "cofunding_percent",
                                  "applicant_kinds", "deadline", "minimum_score", "criteria"],
                         rows: calls.map { c in
                             [c.idString, c.programme.slug, c.title, c.status.rawValue, som(c.budgetTyiyn), som(c.minGrantTyiyn), som(c.maxGrantTyiyn),
                              String(c.coFundingPercent), c.applicantKindsText, c.deadline.description, String(c.minimumScore),
                              c.criteria.map { "\($0.name) (\($0.weight)%, 0–\($0.max))" }.joined(separator: "; ")]
                         })
        case "awards":
            let applications = try await GrantApplication.query(on: req.db).filter(\.$status ~~ GrantDisplay.awarded)
                .with(\.$call).with(\.$organisation).with(\.$territory).sort(\.$submittedAt).all()
            var scores: [String: String] = [:]
            for call in Set(applications.map { $0.$call.id }) {
                guard let model = applications.first(where: { $0.$call.id == call })?.call else { continue }
                let board = try await CallBoard.load(model, on: req.db)
                for a in board.applications { if let aggregate = board.aggregate(a) { scores[a.idString] = aggregate.mean.fixed(digits: 2) } }
            }
            return Table(header: ["id", "call", "organisation", "organisation_kind", "territory", "title", "status", "grant_som", "total_cost_som", "score"],
                         rows: applications.map { a in
                             [a.idString, a.call.idString, a.organisation.name.ky, a.organisation.kind.rawValue, a.territory.code, a.title, a.status.rawValue,
                              som(a.requestedTyiyn), som(a.totalTyiyn), scores[a.idString] ?? ""]
                         })
        case "contracts":
            let contracts = try await GrantContract.query(on: req.db).with(\.$application) { $0.with(\.$organisation) }.with(\.$tranches).sort(\.$signedOn).all()
            return Table(header: ["number", "application", "organisation", "signed_on", "starts_on", "ends_on", "grant_som", "local_budget_som", "community_som",
                                  "other_som", "tranches"],
                         rows: contracts.map { c in
                             [c.number, c.application.idString, c.application.organisation.name.ky, c.signedOn.description, c.startsOn.description, c.endsOn.description,
                              som(c.amountTyiyn), som(c.localBudgetTyiyn), som(c.communityTyiyn), som(c.otherTyiyn),
                              c.tranches.sorted { $0.number < $1.number }.map { "\($0.number): \($0.plannedOn) \(som($0.amountTyiyn))" }.joined(separator: "; ")]
                         })
        default:
            let payments = try await GrantPayment.query(on: req.db).with(\.$application).with(\.$tranche).sort(\.$paidOn).all()
            return Table(header: ["application", "title", "paid_on", "source", "amount_som", "tranche", "reference"],
                         rows: payments.map { p in
                             [p.application.idString, p.application.title, p.paidOn.description, p.source.rawValue, som(p.amountTyiyn), p.tranche.map { String($0.number) } ?? "", p.reference]
                         })
        }
    }
}
