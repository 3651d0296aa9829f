import DemilgeCore
import Fluent
import Vapor

/// After the award: the contract with its tranches, and the money paid in against them.
struct GrantContractController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.post("applications", ":id", "contract", use: contract)
        routes.post("applications", ":id", "payments", use: pay)
    }

    func contract(req: Request) async throws -> Response {
        let application = try await GrantDisplay.loadApplication(req)
        try AwardedGrant.manager(req, application)
        var form = FormState.read(req, fields: ["number", "signed_on", "starts_on", "ends_on", "amount", "local_budget", "community", "other", "tranches"])
        form.requireText("number", length: 1...60, req)
        for field in ["signed_on", "starts_on", "ends_on"] { form.requireDay(field, req) }
        if form.errors["ends_on"] == nil && form["ends_on"] < form["starts_on"] { form.fail("ends_on", req.t("rounds.window_backwards")) }
        let amount = form.amount("amount", req)
        let local = form.amount("local_budget", req, allowZero: true)
        let community = form.amount("community", req, allowZero: true)
        let other = form.amount("other", req, allowZero: true)
        var planned: [GrantLines.PlannedTranche] = []
        switch GrantLines.tranches(form["tranches"], req.language) {
        case .success(let read): planned = read
            if read.isEmpty { form.fail("tranches", req.t("grants.tranches_required")) }
        case .failure(let errors):
            form.fail("tranches", GrantDisplay.lineErrors(errors, req).joined(separator: " "))
        }
        if application.status != .approved { form.fail("number", req.t("grants.contract_needs_award")) }
        if form.isValid {
            for problem in ContractCheck.problems(amountTyiyn: amount, awardedTyiyn: application.requestedTyiyn, trancheAmounts: planned.map(\.amountTyiyn)) {
                switch problem {
                case .amountAboveAward(let amount, let awarded):
                    form.fail("amount", req.t(problem.catalogKey, ["amount": GrantDisplay.money(amount, req), "awarded": GrantDisplay.money(awarded, req)]))
                case .tranchesDoNotSum(let tranches, let amount):
                    form.fail("tranches", req.t(problem.catalogKey, ["tranches": GrantDisplay.money(tranches, req), "amount": GrantDisplay.money(amount, req)]))
                default: form.fail("amount", req.t(problem.catalogKey))
                }
            }
        }
        if try await GrantContract.query(on: req.db).filter(\.$number == form["number"]).first() != nil { form.fail("number", req.t("grants.contract_number_taken")) }
        guard form.isValid else { return try await AwardedGrant.rerender(req, application, form, "contract") }
        let contract = GrantContract()
        contract.$application.id = (try application.requireID())
        contract.number = form["number"]
        contract.signedOn = try Day(stored: form["signed_on"])
        contract.startsOn = try Day(stored: form["starts_on"])
        contract.endsOn = try Day(stored: form["ends_on"])
        contract.amountTyiyn = amount
        contract.localBudgetTyiyn = local
        contract.communityTyiyn = community
        contract.otherTyiyn = other
        let schedule = planned
        do {
            try await req.write { db in
                try await contract.create(on: db)
                for (index, tranche) in schedule.enumerated() {
                    let row = GrantTranche()
                    row.$contract.id = (try contract.requireID())
                    row.number = index + 1
                    row.plannedOn = tranche.plannedOn
                    row.amountTyiyn = tranche.amountTyiyn
                    row.condition = tranche.condition
                    try await row.create(on: db)
                }
                try await AuditLog.record(on: db, by: req.auditActor, action: "grant.contract", entityType: "grant_application",
                                          entityID: application.idString, after: ["number": contract.number, "amount": String(amount), "tranches": String(schedule.count)])
                try await GrantMove.apply(application, to: .contracted, reason: contract.number, as: .programmeManager, by: req, on: db)
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            form.fail("number", req.t("grants.contract_number_taken"))
            return try await AwardedGrant.rerender(req, application, form, "contract", status: .conflict)
        }
        return AwardedGrant.done(req, application)
    }

    /// A grant disbursement against a tranche (the first one starts implementation), or a co-funding contribution.
    func pay(req: Request) async throws -> Response {
        let application = try await GrantDisplay.loadApplication(req)
        try AwardedGrant.manager(req, application)
        var form = FormState.read(req, fields: ["kind", "tranche", "source", "paid_on", "amount", "reference"])
        let paidOn = form.requireDay("paid_on", req)
        let amount = form.amount("amount", req)
        form.optionalText("reference", max: 200, req)
        guard [.contracted, .inImplementation].contains(application.status),
              let contract = try await GrantContract.query(on: req.db).filter(\.$application.$id == (try application.requireID())).with(\.$tranches).first() else {
            form.fail("amount", req.t("grants.payment_needs_contract"))
            return try await AwardedGrant.rerender(req, application, form, "payment", status: .conflict)
        }
        let payment = GrantPayment()
        payment.$application.id = (try application.requireID())
        if let paidOn { payment.paidOn = paidOn }
        payment.amountTyiyn = amount
        payment.reference = form["reference"]
        if form["kind"] == "contribution" {
            guard let source = FundingSource(rawValue: form["source"]), source.isCoFunding else {
                form.fail("source", req.t("validation.choose_from_list"))
                return try await AwardedGrant.rerender(req, application, form, "payment")
            }
            payment.source = source
        } else {
            payment.source = FundingSource.grant
            let number = form.integer("tranche", in: 1...1_000) ?? 0
            payment.$tranche.id = contract.tranches.first { $0.number == number }?.id
            if payment.$tranche.id == nil { form.fail("tranche", req.t("validation.choose_from_list")) }
        }
        guard form.isValid else { return try await AwardedGrant.rerender(req, application, form, "payment") }
        let applicationID = try application.requireID()
        let schedule = contract.tranches.map { (id: $0.id, number: $0.number, amount: $0.amountTyiyn) }
        do {
            try await req.write { db in
                if let trancheID = payment.$tranche.id {
                    // What is left of each tranche is counted with the application locked, so two payments sent at
                    // once cannot both fit into what only one of them may take.
                    try await RowLock.lock(GrantApplication.schema, id: applicationID, on: db)
                    let paid = try await GrantPayment.query(on: db).filter(\.$application.$id == applicationID).all()
                    let tranches = schedule.map { t in
                        Tranche(number: t.number, amountTyiyn: t.amount, paidTyiyn: Money.sum(paid.filter { $0.$tranche.id == t.id }.map(\.amountTyiyn)))
                    }
                    let number = schedule.first { $0.id == trancheID }?.number ?? 0
                    if let problem = ContractCheck.disbursement(amount, to: number, of: tranches) { throw DisbursementRefused(problem: problem) }
                }
                try await payment.create(on: db)
                try await AuditLog.record(on: db, by: req.auditActor, action: "grant.payment", entityType: "grant_application",
                                          entityID: application.idString, after: ["source": payment.source.rawValue, "amount": String(amount), "paid_on": payment.paidOn.description])
                // The first disbursement starts implementation (read again under the lock: another payment may have).
                if payment.$tranche.id != nil, let current = try await GrantApplication.find(applicationID, on: db), current.status == .contracted {
                    application.status = current.status
                    try await GrantMove.apply(application, to: .inImplementation, reason: nil, as: .programmeManager, by: req, on: db)
                }
            }
        } catch let refused as DisbursementRefused {
            switch refused.problem {
            case .overTranche(let remaining): form.fail("amount", req.t(refused.problem.catalogKey, ["remaining": GrantDisplay.money(remaining, req)]))
            case .earlierTrancheUnpaid(let earlier): form.fail("tranche", req.t(refused.problem.catalogKey, ["number": String(earlier)]))
            default: form.fail("amount", req.t(refused.problem.catalogKey))
            }
            return try await AwardedGrant.rerender(req, application, form, "payment")
        }
        return AwardedGrant.done(req, application)
    }

    struct DisbursementRefused: Error { let problem: ContractProblem }
}
