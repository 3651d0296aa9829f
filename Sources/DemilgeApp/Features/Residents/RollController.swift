import DemilgeCore
import Fluent
import Vapor

/// `/territories/:code/roll`: a municipality's resident roll. Staff upload or replace it as CSV (all or nothing, with
/// line-numbered problems); staff and facilitators verify a person in person (ID seen), adding them when the roll
/// lacks them. The page shows counts only: no ПИН, no list of people.
struct RollController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("territories", ":code", "roll", use: index)
        routes.on(.POST, "territories", ":code", "roll", body: .collect(maxSize: BodyLimits.rollUpload), use: upload)
    }

    struct Content: Encodable {
        let territory: TerritoryLink
        let entries: Int, fromRoll: Int, inPerson: Int, verified: Int
        let canUpload: Bool
        let settlements: [Option]
        let sexes: [Option]
        let upload: FormState
        let personForm: FormState
        let problems: [String]
        let summary: String
    }

    /// The municipality from the address, if it keeps a roll (its settlements are its children).
    static func load(_ req: Request) async throws -> (territory: Territory, settlements: [Territory]) {
        let directory = try await req.territoryDirectory()
        guard let code = req.parameters.get("code"), let territory = directory.byCode[code], let id = territory.id,
              TerritoryKind.settlement.allowedParents.contains(territory.kind) else { throw DemilgeError.notFound }
        let settlements = (directory.children[id] ?? []).filter { $0.kind == .settlement }
            .sorted { $0.name.ky.compare($1.name.ky, locale: Locale(identifier: "ky")) == .orderedAscending }
        return (territory, settlements)
    }

    func index(req: Request) async throws -> Response {
        let (territory, settlements) = try await Self.load(req)
        let target = try await TerritoryPath.target(try territory.requireID(), req)
        guard req.can(.manageResidentRoll, on: target) || req.can(.verifyResidents, on: target) else {
            try req.authorize(.manageResidentRoll, on: target)
            throw DemilgeError.forbidden
        }
        return try await render(req, territory, settlements)
    }

    func render(_ req: Request, _ territory: Territory, _ settlements: [Territory], upload: FormState = FormState(), personForm: FormState = FormState(),
                problems: [String] = [], summary: String = "", status: HTTPResponseStatus = .ok) async throws -> Response {
        let id = try territory.requireID()
        let entries = ResidentEntry.query(on: req.db).filter(\.$territory.$id == id)
        let total = try await entries.copy().count()
        let inPerson = try await entries.copy().filter(\.$source == ResidentEntry.Source.inPerson.rawValue).count()
        let verified = try await ResidentVerification.query(on: req.db).join(ResidentEntry.self, on: \ResidentVerification.$entry.$id == \ResidentEntry.$id)
            .filter(ResidentEntry.self, \.$territory.$id == id).count()
        let target = try await TerritoryPath.target(id, req)
        return try await req.page("territories/roll", titleKey: "roll.title", Content(
            territory: TerritoryLink(territory, req.language, catalog: req.application.catalog),
            entries: total, fromRoll: total - inPerson, inPerson: inPerson, verified: verified,
            canUpload: req.can(.manageResidentRoll, on: target),
            settlements: settlements.map { Option(value: $0.code, label: $0.name.display(req.language).text, selected: $0.code == personForm["settlement"]) },
            sexes: Sex.allCases.map { Option(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0.rawValue == personForm["sex"]) },
            upload: upload, personForm: personForm, problems: problems, summary: summary), forms: true, status: status)
    }

    func upload(req: Request) async throws -> Response {
        let (territory, settlements) = try await Self.load(req)
        let territoryID = try territory.requireID()
        try req.authorize(.manageResidentRoll, on: try await TerritoryPath.target(territoryID, req))
        var form = FormState()
        let file = try? req.content.get(File.self, at: "roll")
        guard let file, file.data.readableBytes > 0, let text = file.data.getString(at: file.data.readerIndex, length: file.data.readableBytes) else {
            form.fail("roll", req.t("roll.file_required"))
            return try await render(req, territory, settlements, upload: form, status: form.status)
        }
        let codes = Dictionary(firstValues: settlements.compactMap { s in s.id.map { (s.code, $0) } })
        switch ResidentRoll.read(text, settlements: Set(codes.keys), today: Day.today()) {
        case .failure(let refusal):
            form.fail("roll", req.t("roll.refused", ["count": String(refusal.problems.count)]))
            let lines = refusal.problems.prefix(100).map { Self.describe($0, req) }
            return try await render(req, territory, settlements, upload: form, problems: lines, status: form.status)
        case .success(let entries):
            // The key once for the whole file: a city's roll is hundreds of thousands of lines.
            let key = try await PersonalNumberHasher.key(req)
            let hashes = entries.map { PersonalNumberHasher.hash($0.pin, key: key) }
            let user = try req.requireUser()
            let summary = try await req.write { db in
                try await RollImporter.replace(territoryID: territoryID, entries: entries, hashes: hashes, settlements: codes,
                                               by: req.auditActor, addedBy: user.id, on: db)
            }
            let text = req.t("roll.replaced", ["entries": String(summary.entries), "added": String(summary.added), "updated": String(summary.updated),
                                               "removed": String(summary.removed), "ended": String(summary.verificationsEnded)])
            return try await render(req, territory, settlements, summary: text)
        }
    }

    static func describe(_ problem: ResidentRoll.LineProblem, _ req: Request) -> String {
        var arguments: [String: String] = [:]
        switch problem.problem {
        case .missingColumn(let name): arguments["column"] = name
        case .tooManyEntries(let maximum): arguments["maximum"] = String(maximum)
        case .duplicate(let first): arguments["first"] = String(first)
        case .unknownSettlement(let code), .birthDate(let code), .sex(let code): arguments["value"] = String(code.prefix(40))
        default: break
        }
        let text = req.t(problem.problem.catalogKey, arguments)
        return problem.line > 0 ? req.t("roll.line", ["line": String(problem.line), "problem": text]) : text
    }
}
