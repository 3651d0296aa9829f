import DemilgeCore
import Fluent
import Vapor

/// `POST /territories/:code/roll/person`: staff or a facilitator who saw a person's ID types the ПИН from it. The
/// person is found on the municipality's roll, or added to it as an in-person entry; given an account's e-mail, that
/// account becomes the person's verified account. Audited with who did it and when; the ПИН is never kept or shown.
struct InPersonVerificationController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.post("territories", ":code", "roll", "person", use: person)
    }

    func person(req: Request) async throws -> Response {
        let (territory, settlements) = try await RollController.load(req)
        let territoryID = try territory.requireID()
        try req.authorize(.verifyResidents, on: try await TerritoryPath.target(territoryID, req))
        let staff = try req.requireUser()
        var form = FormState.read(req, fields: ["pin", "settlement", "birth_date", "sex", "name", "email"])
        let today = Day.today()
        let number = form.personalNumber("pin", req, today: today)
        form.optionalText("name", max: 200, req)
        var account: User?
        if !form["email"].isEmpty {
            let email = EmailAddress.normalised(form["email"]) ?? form["email"].lowercased()
            account = try await User.query(on: req.db).filter(\.$email == email).first()
            if account == nil { form.fail("email", req.t("roll.person.no_account")) }
        }
        var entry: ResidentEntry?
        if form.isValid, let number {
            let hash = try await PersonalNumberHasher.hash(number, req)
            entry = try await ResidentEntry.query(on: req.db).filter(\.$territory.$id == territoryID).filter(\.$pinHash == hash).first()
            if entry == nil { entry = newEntry(number, hash: hash, territoryID: territoryID, settlements: settlements, by: staff, &form, req) }
        }
        guard form.isValid, let entry else { return try await refuse(req, territory, settlements, form) }
        let isNew = entry.id == nil
        let verifying = account
        do {
            try await req.write { db in
                if isNew {
                    try await entry.create(on: db)
                    try await AuditLog.record(on: db, by: req.auditActor, action: "roll.add_person", entityType: "territory",
                                              entityID: territoryID.uuidString.lowercased(), after: ["settlement": entry.$settlement.id.uuidString.lowercased()])
                }
                if let verifying {
                    try await VerifiedResident.verify(try verifying.requireID(), as: entry, method: .inPerson, by: req.auditActor,
                                                      verifiedBy: staff.id, on: db)
                }
            }
        } catch is VerifiedResident.TakenByAnother {
            form.fail("email", req.t("verify.taken"), .conflict)
            return try await refuse(req, territory, settlements, form)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // Added by someone else at the same moment: the person is on the roll now.
            form.fail("pin", req.t("roll.person.added_meanwhile"), .conflict)
            return try await refuse(req, territory, settlements, form)
        }
        req.flash(account == nil ? (isNew ? "roll.person.added" : "roll.person.on_roll") : "roll.person.verified")
        return req.redirect(to: .territoryRoll(territory.code))
    }

    /// An in-person entry for a person the roll lacks; birth date and sex come from the ПИН or from the form.
    private func newEntry(_ number: PersonalNumber, hash: String, territoryID: UUID, settlements: [Territory], by staff: User,
                          _ form: inout FormState, _ req: Request) -> ResidentEntry? {
        let today = Day.today()
        guard let settlement = settlements.first(where: { $0.code == form["settlement"] }), let settlementID = settlement.id else {
            form.fail("settlement", req.t("roll.person.settlement_needed"))
            return nil
        }
        let birth = form["birth_date"].isEmpty ? number.implied?.birthDate : BirthDate(form["birth_date"], today: today)
        let sex = form["sex"].isEmpty ? number.implied?.sex : Sex(rawValue: form["sex"])
        if birth == nil { form.fail("birth_date", req.t(form["birth_date"].isEmpty ? "roll.needs_birth_date" : "verify.birth_date_invalid")) }
        if sex == nil { form.fail("sex", req.t(form["sex"].isEmpty ? "roll.needs_birth_date" : "validation.choose_from_list")) }
        if let implied = number.implied, (birth != nil && birth != implied.birthDate) || (sex != nil && sex != implied.sex) {
            form.fail("birth_date", req.t("roll.disagrees"))
        }
        guard form.isValid else { return nil }
        return ResidentEntry(territoryID: territoryID, settlementID: settlementID, pinHash: hash, name: form["name"],
                             birthDate: birth, sex: sex, source: .inPerson, addedBy: staff.id)
    }

    private func refuse(_ req: Request, _ territory: Territory, _ settlements: [Territory], _ form: FormState) async throws -> Response {
        var form = form
        form.values["pin"] = nil
        return try await RollController().render(req, territory, settlements, personForm: form, status: form.status)
    }
}
