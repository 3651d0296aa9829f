import DemilgeCore
import Fluent
import Vapor

/// `/rounds/:id/desk`: the desk at a village meeting. Before handing out a paper ballot, staff type the ПИН from the
/// person's ID; the person is found on the roll of the round's territory and marked as having taken part, so they
/// cannot also vote online (and someone who voted online is turned away here). Nothing about the person is kept
/// but the ПИН hash, sex and age band (for the turnout table).
struct PaperDeskController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("rounds", ":id", "desk", use: index)
        routes.post("rounds", ":id", "desk", use: mark)
    }

    struct Content: Encodable {
        let id: String, title: String, territory: TerritoryLink
        let marked: Int
        let open: Bool
        let form: FormState
        let person: String
    }

    private func authorize(_ req: Request, _ round: BudgetRound) async throws {
        try req.authorize(.enterPaperBallots, on: try await RoundAccess.target(round, req))
    }

    func index(req: Request) async throws -> Response {
        let round = try await RoundAccess.load(req)
        try await authorize(req, round)
        return try await render(req, round, form: FormState())
    }

    private func render(_ req: Request, _ round: BudgetRound, form: FormState, person: String = "", status: HTTPResponseStatus = .ok) async throws -> Response {
        let marked = try await RoundParticipation.query(on: req.db).filter(\.$round.$id == (try round.requireID()))
            .filter(\.$channel == .paper).count()
        return try await req.page("rounds/desk", titleKey: "desk.title", Content(
            id: round.idString, title: round.title, territory: TerritoryLink(round.territory, req.language, catalog: req.application.catalog),
            marked: marked, open: round.acceptsPaper(on: Day.today()), form: form, person: person), forms: true, status: status)
    }

    struct AlreadyTookPart: Error { let channel: RoundParticipation.Channel }
    struct Closed: Error {}

    func mark(req: Request) async throws -> Response {
        let round = try await RoundAccess.load(req)
        try await authorize(req, round)
        var form = FormState.read(req, fields: ["pin"])
        let today = Day.today()
        if !round.acceptsPaper(on: today) { form.fail("pin", req.t("paper.closed"), .conflict) }
        let number = form.personalNumber("pin", req, today: today)
        form.values["pin"] = nil
        var entry: ResidentEntry?
        var hash = ""
        if form.isValid, let number {
            hash = try await PersonalNumberHasher.hash(number, req)
            let places = try await req.territoryDirectory().subtree(of: round.$territory.id)
            entry = try await ResidentEntry.query(on: req.db).filter(\.$pinHash == hash).all().first { places.contains($0.$settlement.id) }
            if entry == nil { form.fail("pin", req.t("desk.not_on_roll")) }
        }
        guard form.isValid, let entry else { return try await render(req, round, form: form, status: form.status) }
        let roundID = try round.requireID(), pinHash = hash
        do {
            try await req.write { db in
                guard let current = try await RowLock.lockAndRead(BudgetRound.self, id: roundID, on: db), current.acceptsPaper(on: Day.today()) else { throw Closed() }
                if let earlier = try await RoundParticipation.query(on: db).filter(\.$round.$id == roundID).filter(\.$pinHash == pinHash).first() {
                    throw AlreadyTookPart(channel: earlier.channel)
                }
                try await RoundParticipation(roundID: roundID, pinHash: pinHash, channel: .paper, entry: entry, on: Day.today()).create(on: db)
                try await AuditLog.record(on: db, by: req.auditActor, action: "desk.mark", entityType: "round", entityID: roundID.uuidString.lowercased())
            }
        } catch let earlier as AlreadyTookPart {
            form.fail("pin", req.t(earlier.channel == .paper ? "desk.already_paper" : "desk.already_online"), .conflict)
            return try await render(req, round, form: form, status: form.status)
        } catch is Closed {
            form.fail("pin", req.t("paper.closed"), .conflict)
            return try await render(req, round, form: form, status: form.status)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            form.fail("pin", req.t("desk.already_paper"), .conflict)
            return try await render(req, round, form: form, status: form.status)
        }
        let sex = entry.personSex.map { req.t("person.sex.\($0.rawValue)") } ?? "—"
        let band = entry.birth(today: today).map { req.t($0.ageBand(on: today).catalogKey) } ?? "—"
        let person = req.t("desk.marked", ["name": entry.name.isEmpty ? "—" : entry.name, "sex": sex, "age": band])
        return try await render(req, round, form: FormState(), person: person)
    }
}
