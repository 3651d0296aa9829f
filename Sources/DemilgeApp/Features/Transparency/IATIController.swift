import DemilgeCore
import Fluent
import Vapor

/// IATI 2.03 activity files: every programme with its awarded grants (`/iati/activities.xml`), one programme
/// (`/programmes/SLUG/iati.xml`) or one grant (`/applications/ID/iati.xml`).
struct IATIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("iati", "activities.xml", use: all)
        routes.get("programmes", ":slug", "iati.xml", use: programme)
        routes.get("applications", ":id", "iati.xml", use: grant)
    }

    func all(req: Request) async throws -> Response {
        let programmes = try await Programme.query(on: req.db).with(\.$donor).with(\.$implementer).with(\.$regions).sort(\.$slug).all()
        return try await respond(req, programmes: programmes)
    }

    func programme(req: Request) async throws -> Response {
        guard let programme = try await Programme.query(on: req.db).filter(\.$slug == req.parameters.get("slug") ?? "")
            .with(\.$donor).with(\.$implementer).with(\.$regions).first() else { throw DemilgeError.notFound }
        return try await respond(req, programmes: [programme])
    }

    func grant(req: Request) async throws -> Response {
        let application = try await GrantDisplay.loadApplication(req)
        guard GrantDisplay.awarded.contains(application.status) else { throw DemilgeError.notFound }
        let programme = try await Programme.query(on: req.db).filter(\.$id == application.call.$programme.id).with(\.$donor).first()
        let activity = try await IATIActivities.grant(application, programme: programme, base: Self.base(req), on: req.db)
        return Self.xml(IATI.document([activity], generated: Date()))
    }

    private func respond(_ req: Request, programmes: [Programme]) async throws -> Response {
        var activities: [IATI.Activity] = []
        for programme in programmes {
            let grants = try await IATIActivities.awardedGrants(of: programme, on: req.db)
            var grantActivities: [IATI.Activity] = []
            for grant in grants { grantActivities.append(try await IATIActivities.grant(grant, programme: programme, base: Self.base(req), on: req.db)) }
            activities.append(IATIActivities.programme(programme, children: grantActivities, base: Self.base(req)))
            activities += grantActivities
        }
        return Self.xml(IATI.document(activities, generated: Date()))
    }

    static func base(_ req: Request) -> String { PublicURL.base(req.application) }

    static func xml(_ text: String) -> Response {
        let response = Response(status: .ok, body: .init(string: text))
        response.headers.contentType = HTTPMediaType(type: "application", subType: "xml", parameters: ["charset": "utf-8"])
        return response
    }
}

/// Demilge's records as IATI activities.
enum IATIActivities {
    static func identifier(_ programme: Programme) -> String { "\(IATI.reportingOrgRef)-\(programme.slug)" }

    static func names(_ text: LocalizedText) -> [IATI.Text] {
        [IATI.Text("ky", text.ky)] + [("ru", text.ru), ("en", text.en)].compactMap { lang, value in value.map { IATI.Text(lang, $0) } }
    }

    static func awardedGrants(of programme: Programme, on db: any Database) async throws -> [GrantApplication] {
        let calls = try await GrantCall.query(on: db).filter(\.$programme.$id == (try programme.requireID())).all().compactMap(\.id)
        guard !calls.isEmpty else { return [] }
        let grants = try await GrantApplication.query(on: db).filter(\.$call.$id ~~ calls).filter(\.$status ~~ GrantDisplay.awarded)
            .with(\.$call).with(\.$organisation).with(\.$territory).sort(\.$title).all()
        try await GrantApplication.loadLines(of: grants, on: db)
        return grants
    }

    /// IATI needs at least one date; a programme the seeds give no months for starts, as far as Demilge knows,
    /// with the earliest of its grants.
    static func programme(_ programme: Programme, children: [IATI.Activity], base: String) -> IATI.Activity {
        var activity = IATI.Activity(identifier: identifier(programme), hierarchy: 1, lastUpdated: programme.createdAt ?? Date(), titles: names(programme.name))
        activity.descriptions = names(programme.summary)
        if let donor = programme.donor { activity.organisations.append(.init(role: 1, ref: nil, type: nil, names: names(donor.name))) }
        if let implementer = programme.implementer { activity.organisations.append(.init(role: 4, ref: nil, type: nil, names: names(implementer.name))) }
        let today = Day.today()
        if let start = programme.startMonth { activity.dates.append((2, "\(start)-01")) }
        if let end = programme.endMonth {
            let last = "\(end)-\(end.dayCount)"
            let ended = Day(last).map { $0 < today } ?? false
            activity.dates.append((ended ? 4 : 3, last))
            activity.status = ended ? 4 : 2
        }
        activity.locations = programme.regions.map { IATI.Text("ky", $0.nameKy) }
        activity.sectors = [("15150", 50), ("15112", 50)]
        if let minor = programme.budgetMinor, let currency = programme.budgetCurrency, let start = programme.startMonth, let end = programme.endMonth {
            activity.budgets = [IATI.Budget(start: "\(start)-01", end: "\(end)-\(end.dayCount)", minorUnits: minor, currency: currency)]
        }
        if activity.dates.isEmpty {
            let earliest = children.flatMap { $0.dates.map(\.1) }.min() ?? Formatters.isoDate(programme.createdAt ?? Date())
            activity.dates = [(2, earliest)]
        }
        activity.children = children.map(\.identifier)
        activity.documentLink = "\(base)/programmes/\(programme.slug)"
        return activity
    }

    static func status(_ status: GrantStatus) -> Int {
        switch status {
        case .contracted, .inImplementation: 2
        case .completed: 3
        case .closed: 4
        case .terminated, .withdrawn, .rejected, .ineligible: 5
        default: 1
        }
    }

    static func grant(_ application: GrantApplication, programme: Programme?, base: String, on db: any Database) async throws -> IATI.Activity {
        let parent = programme.map(identifier) ?? IATI.reportingOrgRef
        var activity = IATI.Activity(identifier: "\(parent)-\(application.idString)", hierarchy: 2,
                                     lastUpdated: application.submittedAt ?? application.createdAt ?? Date(), titles: [IATI.Text("ky", application.title)])
        if !application.summary.isEmpty { activity.descriptions = [IATI.Text("ky", application.summary)] }
        if let donor = programme?.donor { activity.organisations.append(.init(role: 1, ref: nil, type: nil, names: names(donor.name))) }
        let isCSO = application.organisation.kind == .cso
        activity.organisations.append(.init(role: 4, ref: nil, type: isCSO ? 22 : 10, names: names(application.organisation.name)))
        activity.status = status(application.status)
        activity.locations = [IATI.Text("ky", application.territory.nameKy)] + (application.territory.nameEn.map { [IATI.Text("en", $0)] } ?? [])
        activity.sectors = [(isCSO ? "15150" : "15112", 100)]
        let recipient = application.organisation.nameKy
        if let contract = try await GrantContract.query(on: db).filter(\.$application.$id == (try application.requireID())).first() {
            activity.dates = [(2, contract.startsOn.description), ([.completed, .closed].contains(application.status) ? 4 : 3, contract.endsOn.description)]
        } else {
            // Awarded, no agreement yet: planned to start when it was awarded.
            let awarded = try await GrantTransition.query(on: db).filter(\.$application.$id == (try application.requireID())).filter(\.$to == GrantStatus.approved).first()
            activity.dates = [(1, Formatters.isoDate(awarded?.at ?? application.submittedAt ?? Date()))]
        }
        if let contract = try await GrantContract.query(on: db).filter(\.$application.$id == (try application.requireID())).first() {
            activity.transactions.append(.init(type: .commitment, date: contract.signedOn.description, minorUnits: contract.amountTyiyn, currency: "KGS",
                                               description: contract.number, receiver: recipient))
        }
        let payments = try await GrantPayment.query(on: db).filter(\.$application.$id == (try application.requireID())).filter(\.$source == FundingSource.grant)
            .sort(\.$paidOn).all()
        for payment in payments {
            activity.transactions.append(.init(type: .disbursement, date: payment.paidOn.description, minorUnits: payment.amountTyiyn, currency: "KGS",
                                               description: payment.reference.isEmpty ? nil : payment.reference, receiver: recipient))
        }
        if let report = try await GrantReport.query(on: db).filter(\.$application.$id == (try application.requireID())).first() {
            let spent = application.lines.filter { $0.source.rawValue == FundingSource.grant.rawValue }.map { $0.spentTyiyn ?? 0 }.saturatingSum()
            activity.transactions.append(.init(type: .expenditure, date: report.submittedOn.description, minorUnits: spent, currency: "KGS", description: nil, provider: recipient))
        }
        activity.parent = programme.map(identifier)
        activity.documentLink = "\(base)/applications/\(application.idString)"
        return activity
    }
}
