import DemilgeCore
import Fluent
import Vapor

/// Atom feeds per territory (and everything under it): new problems, results (budgeting rounds published, grant
/// calls decided), and grants awarded.
struct FeedController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        for kind in ["problems", "results", "grants"] {
            routes.get("territories", ":code", "\(kind).atom") { req in try await Self.feed(kind, req) }
        }
    }

    static let limit = 50

    static func feed(_ kind: String, _ req: Request) async throws -> Response {
        guard let territory = try await Territory.query(on: req.db).filter(\.$code == req.parameters.get("code") ?? "").first() else { throw DemilgeError.notFound }
        let directory = try await req.territoryDirectory()
        let places = Array(directory.subtree(of: (try territory.requireID())))
        let base = IATIController.base(req)
        let language = req.language
        var entries: [AtomFeed.Entry] = []
        switch kind {
        case "problems":
            let problems = try await Problem.query(on: req.db).filter(\.$territory.$id ~~ places).filter(\.$hidden == false)
                .sort(\.$createdAt, .descending).limit(limit).all()
            entries = problems.map { p in
                AtomFeed.Entry(id: "\(base)/problems/\(p.idString)", title: p.title, link: "\(base)/problems/\(p.idString)",
                               updated: p.createdAt ?? Date(), summary: p.description)
            }
        case "results":
            let rounds = try await BudgetRound.query(on: req.db).filter(\.$territory.$id ~~ places).filter(\.$status == RoundStatus.published).all()
            entries = rounds.map { r in
                AtomFeed.Entry(id: "\(base)/rounds/\(r.idString)/results", title: r.title, link: "\(base)/rounds/\(r.idString)/results",
                               updated: Self.day(r.closesOn.description), summary: req.t("feeds.round_results", ["envelope": GrantDisplay.money(r.envelopeTyiyn, req)]))
            }
            // A decided call belongs to the places it was open to (and what is above them) and to its applicants' places.
            let above = Set(directory.path(to: territory).compactMap(\.id))
            let applicantCalls = Set(try await GrantApplication.query(on: req.db).filter(\.$territory.$id ~~ places).all().map { $0.$call.id })
            let decided = try await GrantCall.query(on: req.db).filter(\.$status == CallStatus.decided).all()
            for call in decided where applicantCalls.contains((try call.requireID())) || call.territoryIDs.contains(where: { places.contains($0) || above.contains($0) }) {
                entries.append(AtomFeed.Entry(id: "\(base)/grants/\(call.idString)", title: call.title, link: "\(base)/grants/\(call.idString)",
                                              updated: Self.day(call.deadline.description), summary: req.t("feeds.call_decided")))
            }
        default:
            let grants = try await GrantApplication.query(on: req.db).filter(\.$territory.$id ~~ places)
                .filter(\.$status ~~ GrantDisplay.awarded).with(\.$organisation).all()
            for grant in grants {
                let awarded = try await GrantTransition.query(on: req.db).filter(\.$application.$id == (try grant.requireID())).filter(\.$to == GrantStatus.approved).first()
                entries.append(AtomFeed.Entry(id: "\(base)/applications/\(grant.idString)", title: grant.title, link: "\(base)/applications/\(grant.idString)",
                                              updated: awarded?.at ?? grant.submittedAt ?? Date(),
                                              summary: "\(grant.organisation.name.text(language)) · \(GrantDisplay.money(grant.requestedTyiyn, req))"))
            }
        }
        let feed = AtomFeed(id: "\(base)/territories/\(territory.code)/\(kind).atom",
                            title: "\(territory.name.text(language)) — \(req.t("feeds.\(kind)"))", link: "\(base)/territories/\(territory.code)/\(kind).atom",
                            language: language.rawValue, entries: Array(entries.sorted { $0.updated > $1.updated }.prefix(limit)))
        let response = Response(status: .ok, body: .init(string: feed.xml))
        response.headers.contentType = HTTPMediaType(type: "application", subType: "atom+xml", parameters: ["charset": "utf-8"])
        return response
    }

    static func day(_ isoDay: String) -> Date {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        formatter.timeZone = Formatters.bishkek
        return formatter.date(from: isoDay) ?? Date(timeIntervalSince1970: 0)
    }
}
