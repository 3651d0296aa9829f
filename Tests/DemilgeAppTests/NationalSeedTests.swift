@testable import DemilgeApp
import DemilgeCore
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor

/// `demilge seed --scale`: a generated country on top of the demo data, at a hundredth and a thousandth of the
/// national figures here (the full scale runs in `scripts/bench-web`).
@Suite("National data")
struct NationalSeedTests {
    /// Large enough that some villages are generated beside the seeds' places.
    static let scale = NationalScale(factor: 0.01)
    static let tiny = NationalScale(factor: 0.001)

    /// What the generated data says, in a stable order: enough to tell two runs apart.
    static func digest(_ db: any Database) async throws -> [String] {
        let territories = try await Territory.query(on: db).filter(\.$generated == true).sort(\.$code).all().map { "\($0.code) \($0.nameKy)" }
        let problems = try await Problem.query(on: db).join(User.self, on: \Problem.$author.$id == \User.$id)
            .filter(User.self, \.$email ~= NationalData.emailDomain).sort(\.$id).all().map { "\($0.idString) \($0.title) \($0.supportCount)" }
        let ballots = try await BudgetBallot.query(on: db).join(User.self, on: \BudgetBallot.$voter.$id == \User.$id)
            .filter(User.self, \.$email ~= NationalData.emailDomain).sort(\.$id).all().map { "\($0.idString) \($0.channel)" }
        let grants = try await GrantApplication.query(on: db).join(Organisation.self, on: \GrantApplication.$organisation.$id == \Organisation.$id)
            .filter(Organisation.self, \.$generated == true).sort(\.$id).all().map { "\($0.idString) \($0.status) \($0.requestedTyiyn)" }
        return territories + problems + ballots + grants
    }

    @Test("a country at a hundredth: every figure scaled, generated names marked, results stored, the audit chain intact; a second run changes nothing")
    func thousandth() async throws {
        try await withFreshDatabase(prepared: false) { app in
            let report = try await NationalData.load(into: app, scale: Self.scale, seed: 7)
            #expect(!report.alreadyLoaded)
            let scale = Self.scale
            let municipalities = try await Territory.query(on: app.db).filter(\.$kind ~~ [.ayilAimak, .city]).count()
            #expect(municipalities >= scale.municipalities)
            #expect(try await Territory.query(on: app.db).filter(\.$kind == .settlement).count() >= scale.settlements)
            #expect(try await Territory.query(on: app.db).filter(\.$generated == true).count() > 0)
            #expect(try await Territory.query(on: app.db).filter(\.$code == "KG-C").first()?.generated == false, "the seeds' places stay unmarked")
            #expect(try await Organisation.query(on: app.db).filter(\.$generated == true).count() == scale.organisations)
            let generatedProblems = try await Problem.query(on: app.db).join(User.self, on: \Problem.$author.$id == \User.$id)
                .filter(User.self, \.$email ~= NationalData.emailDomain).count()
            #expect(generatedProblems == scale.problems)
            #expect(try await User.query(on: app.db).filter(\.$email ~= NationalData.emailDomain).count() == scale.residents)
            // Every support is one resident's, once: the stored count of each problem is its support rows.
            let supports = try await ProblemSupport.query(on: app.db).count()
            let counted = try await Problem.query(on: app.db).all().map(\.supportCount).reduce(0, +)
            #expect(supports == counted && supports <= scale.supports + 100 && supports > scale.supports / 2)
            #expect(try await AssessmentSession.query(on: app.db).count() >= scale.sessions)
            let rounds = try await BudgetRound.query(on: app.db).filter(\.$title ~~ "коомдук бюджет").all()
            #expect(rounds.count == scale.rounds)
            let ballots = try await BudgetBallot.query(on: app.db).filter(\.$round.$id ~~ rounds.compactMap(\.id)).count()
            // A round has at most one ballot per resident, so at small scales the rounds cannot take every ballot.
            #expect(ballots > scale.ballots / 2 && ballots <= scale.ballots + scale.rounds * 5, "\(ballots) ballots")
            for round in rounds where round.status == .published {
                let stored = try #require(try await RoundResultStore.load(try round.requireID(), on: app.db), "\(round.title) has its result")
                #expect(try await RoundResultStore.isCurrent(round, on: app.db))
                #expect(stored.votes.values.map(\.total).reduce(0, +) > 0)
            }
            let generatedOrganisations = try await Organisation.query(on: app.db).filter(\.$generated == true).all().compactMap(\.id)
            #expect(try await GrantApplication.query(on: app.db).filter(\.$organisation.$id ~~ generatedOrganisations).count() == scale.applications)
            let contracts = try await GrantContract.query(on: app.db).count(), visits = try await GrantVisit.query(on: app.db).count()
            #expect(contracts > 0 && visits > 0)
            let chain = try await AuditLog.verify(on: app.db)
            #expect(chain.breach == nil && chain.count > supports + ballots / 2)

            let before = try await Self.digest(app.db)
            let again = try await NationalData.load(into: app, scale: Self.scale, seed: 7)
            #expect(again.alreadyLoaded)
            #expect(try await Self.digest(app.db) == before)
        }
    }

    @Test("the same seed gives the same country; another seed another one")
    func deterministic() async throws {
        var first: [String] = [], second: [String] = [], other: [String] = []
        try await withFreshDatabase(prepared: false) { app in
            _ = try await NationalData.load(into: app, scale: Self.tiny, seed: 7)
            first = try await Self.digest(app.db)
        }
        try await withFreshDatabase(prepared: false) { app in
            _ = try await NationalData.load(into: app, scale: Self.tiny, seed: 7)
            second = try await Self.digest(app.db)
        }
        try await withFreshDatabase(prepared: false) { app in
            _ = try await NationalData.load(into: app, scale: Self.tiny, seed: 8)
            other = try await Self.digest(app.db)
        }
        #expect(!first.isEmpty && first == second)
        #expect(first != other)
    }

    @Test("--scale takes 'national' or a fraction of the country, nothing else")
    func scaleArgument() {
        #expect(NationalScale("national")?.factor == 1 && NationalScale("0.01")?.factor == 0.01)
        #expect(NationalScale("0") == nil && NationalScale("2") == nil && NationalScale("-1") == nil && NationalScale("lots") == nil)
        #expect(NationalScale(factor: 1).problems == 100_000 && NationalScale(factor: 1).ballots == 1_000_000 && NationalScale(factor: 1).largestRound == 90_000)
    }
}

@Suite("Health")
struct HealthTests {
    @Test("/healthz answers while the process runs; /readyz when the database answers too; neither is cached")
    func health() async throws {
        try await withDemilge { app in
            let browser = Browser(app)
            let health = try await browser.get("/healthz")
            #expect(health.status == .ok && health.body.string == "ok\n")
            #expect(health.headers.first(name: .cacheControl) == "no-store")
            let ready = try await browser.get("/readyz")
            #expect(ready.status == .ok && ready.body.string == "ready\n")
        }
    }
}
