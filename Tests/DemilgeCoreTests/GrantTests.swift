import DemilgeCore
import Foundation
import Testing

@Suite("Small grants: lifecycle, review and ranking")
struct GrantTests {
    @Test("every allowed transition names its party, and every other one is refused", arguments: GrantStatus.allCases)
    func lifecycle(_ from: GrantStatus) {
        let allowed = Dictionary(firstValues: GrantLifecycle.steps(from: from).map { ($0.to, $0) })
        for to in GrantStatus.allCases {
            for party in GrantParty.allCases {
                let refusal = GrantLifecycle.check(from: from, to: to, by: party, reason: "причина")
                if let step = allowed[to] {
                    #expect((refusal == nil) == step.by.contains(party), "\(from) → \(to) by \(party)")
                } else {
                    #expect(refusal == .notAllowed(from: from, to: to), "\(from) → \(to)")
                }
            }
        }
    }

    @Test("the path from draft to closure, and reasons where they matter")
    func path() {
        let path: [(GrantStatus, GrantStatus, GrantParty)] = [
            (.draft, .submitted, .applicant), (.submitted, .eligible, .programmeManager), (.eligible, .underReview, .programmeManager),
            (.underReview, .scored, .review), (.scored, .approved, .decision), (.approved, .contracted, .programmeManager),
            (.contracted, .inImplementation, .programmeManager), (.inImplementation, .completed, .programmeManager), (.completed, .closed, .programmeManager),
        ]
        for (from, to, party) in path { #expect(GrantLifecycle.check(from: from, to: to, by: party) == nil, "\(from) → \(to)") }
        #expect(GrantLifecycle.check(from: .submitted, to: .ineligible, by: .programmeManager, reason: "  ") == .reasonRequired)
        #expect(GrantLifecycle.check(from: .scored, to: .rejected, by: .decision) == .reasonRequired)
        #expect(GrantLifecycle.check(from: .submitted, to: .eligible, by: .applicant) == .wrongParty(.applicant), "applicants do not judge themselves")
        #expect(GrantLifecycle.check(from: .closed, to: .draft, by: .programmeManager) == .notAllowed(from: .closed, to: .draft))
        #expect(GrantLifecycle.stage(of: .inImplementation) == .monitoring && GrantLifecycle.stage(of: .submitted) == .proposal)
    }

    @Test("no person's form scores, ranks or awards: only the review completes scoring and only the decision awards")
    func onlyTheCommissionsWorkDecides() {
        for party in GrantParty.allCases where !party.isAutomatic {
            #expect(GrantLifecycle.check(from: .underReview, to: .scored, by: party) == .wrongParty(party), "\(party) cannot end the review")
            for to in [GrantStatus.approved, .reserve, .rejected] {
                #expect(GrantLifecycle.check(from: .scored, to: to, by: party, reason: "r") == .wrongParty(party), "\(party) cannot decide \(to)")
            }
        }
        #expect(GrantLifecycle.check(from: .reserve, to: .approved, by: .programmeManager) == nil, "a reserve is funded when money frees up")
        #expect(GrantLifecycle.check(from: .reserve, to: .approved, by: .decision) == .wrongParty(.decision))
        #expect(GrantParty.allCases.filter(\.isAutomatic) == [.review, .decision])
    }

    static let criteria = [
        GrantCriterion(key: "importance", weightPercent: 30, maxScore: 10), GrantCriterion(key: "participation", weightPercent: 25, maxScore: 10),
        GrantCriterion(key: "sustainability", weightPercent: 20, maxScore: 5), GrantCriterion(key: "costs", weightPercent: 15, maxScore: 5),
        GrantCriterion(key: "contribution", weightPercent: 10, maxScore: 3),
    ]

    @Test("weighted scores are exact, out of 100, and checked")
    func weightedScores() throws {
        #expect(GrantReview.problems(criteria: Self.criteria).isEmpty)
        #expect(GrantReview.problems(criteria: Array(Self.criteria.dropLast())) == [.weightsDoNotSumTo100(90)])
        let full = ["importance": 10, "participation": 10, "sustainability": 5, "costs": 5, "contribution": 3]
        #expect(try GrantReview.weighted(full, criteria: Self.criteria).get() == Rational(100))
        let some = ["importance": 7, "participation": 8, "sustainability": 3, "costs": 4, "contribution": 1]
        // 30·7/10 + 25·8/10 + 20·3/5 + 15·4/5 + 10·1/3 = 21 + 20 + 12 + 12 + 10/3
        #expect(try GrantReview.weighted(some, criteria: Self.criteria).get() == Rational(205, 3))
        #expect(GrantReview.weighted(["importance": 11], criteria: Self.criteria) == .failure(.scoreOutOfRange(criterion: "importance", score: 11, max: 10)))
        #expect(GrantReview.weighted(["importance": 1], criteria: Self.criteria) == .failure(.missingScore(criterion: "participation")))
        let aggregate = try #require(GrantReview.aggregate([Rational(60), Rational(80), Rational(70)]))
        #expect(aggregate.mean == Rational(70) && aggregate.spread == Rational(20) && aggregate.reviewers == 3)
        #expect(GrantReview.aggregate([]) == nil)
    }

    @Test("ranking within the budget: order of score, an exact fit, a reserve list, ties by request then date, a threshold")
    func ranking() {
        let candidates = [
            GrantRanking.Candidate(id: "A", score: Rational(90), requestedTyiyn: 400, submittedOrder: 3),
            GrantRanking.Candidate(id: "B", score: Rational(80), requestedTyiyn: 700, submittedOrder: 1),
            GrantRanking.Candidate(id: "C", score: Rational(80), requestedTyiyn: 300, submittedOrder: 2),
            GrantRanking.Candidate(id: "D", score: Rational(75), requestedTyiyn: 300, submittedOrder: 4),
            GrantRanking.Candidate(id: "E", score: Rational(40), requestedTyiyn: 100, submittedOrder: 5),
        ]
        let lines = GrantRanking.rank(candidates, budgetTyiyn: 1000, minimumScore: Rational(50))
        #expect(lines.map(\.id) == ["A", "C", "B", "D", "E"], "C ties B on score and asks for less")
        #expect(lines.map(\.decision) == [.funded(leftAfter: 600), .funded(leftAfter: 300), .reserve(position: 1, left: 300),
                                          .funded(leftAfter: 0), .belowThreshold], "D fits exactly after B is passed over")
        #expect(lines.map(\.tieBroken) == [false, true, true, false, false])
    }
}

@Suite("Small grants: budgets, contracts and money")
struct GrantBudgetTests {
    static let terms = CallTerms(minimumGrantTyiyn: 10_000_000, maximumGrantTyiyn: 50_000_000, coFundingPercent: 20,
                                 applicantKinds: [.municipality], deadline: day("2026-06-30"))

    static func budget(grant: Int64, municipality: Int64, community: Int64, requested: Int64? = nil, total: Int64? = nil) -> ApplicationBudget {
        let lines = [BudgetLine(item: "Фонарлар", source: .grant, amountTyiyn: grant), BudgetLine(item: "Орнотуу", source: .localBudget, amountTyiyn: municipality),
                     BudgetLine(item: "Эмгек", source: .community, amountTyiyn: community)].filter { $0.amountTyiyn != 0 }
        return ApplicationBudget(requestedTyiyn: requested ?? grant, totalTyiyn: total ?? (grant + municipality + community), lines: lines)
    }

    @Test("a sound application has no problems; co-funding exactly at the share is enough")
    func sound() {
        let exact = Self.budget(grant: 40_000_000, municipality: 6_000_000, community: 4_000_000)
        #expect(exact.coFundingShare == Rational(1) / Rational(5))
        #expect(ApplicationCheck.problems(exact, kind: .municipality, territoryEligible: true, terms: Self.terms, today: day("2026-06-30")).isEmpty)
    }

    @Test("every problem is named at once: maximum, co-funding share, sums, kind, territory, deadline")
    func problems() {
        let greedy = Self.budget(grant: 60_000_000, municipality: 5_000_000, community: 0, requested: 55_000_000, total: 70_000_000)
        let problems = ApplicationCheck.problems(greedy, kind: .cso, territoryEligible: false, terms: Self.terms, today: day("2026-07-01"))
        #expect(problems == [.pastDeadline(day("2026-06-30")), .applicantKindNotEligible(.cso), .territoryNotEligible,
                             .grantLinesDoNotSum(lines: 60_000_000, requested: 55_000_000), .linesDoNotSum(lines: 65_000_000, total: 70_000_000),
                             .overMaximum(requested: 55_000_000, maximum: 50_000_000),
                             .coFundingBelowShare(required: 20, actual: Rational(1) / Rational(13))])
        let justBelow = Self.budget(grant: 40_000_001, municipality: 9_999_999, community: 0)
        #expect(ApplicationCheck.problems(justBelow, kind: .municipality, territoryEligible: true, terms: Self.terms, today: day("2026-01-01"))
            == [.coFundingBelowShare(required: 20, actual: Rational(9_999_999) / Rational(50_000_000))], "one tyiyn short of the share is refused")
        let small = Self.budget(grant: 5_000_000, municipality: 5_000_000, community: 0)
        #expect(ApplicationCheck.problems(small, kind: .municipality, territoryEligible: true, terms: Self.terms, today: day("2026-01-01"))
            == [.belowMinimum(requested: 5_000_000, minimum: 10_000_000)])
        let empty = ApplicationBudget(requestedTyiyn: 20_000_000, totalTyiyn: 20_000_000, lines: [])
        #expect(ApplicationCheck.problems(empty, kind: .municipality, territoryEligible: true, terms: Self.terms, today: day("2026-01-01")) == [.noBudgetLines])
    }

    @Test("a contract's tranches add up to its amount, which is not above the award; disbursements keep to the schedule")
    func contracts() {
        #expect(ContractCheck.problems(amountTyiyn: 40_000_000, awardedTyiyn: 40_000_000, trancheAmounts: [24_000_000, 16_000_000]).isEmpty)
        #expect(ContractCheck.problems(amountTyiyn: 45_000_000, awardedTyiyn: 40_000_000, trancheAmounts: [24_000_000, 16_000_000])
            == [.amountAboveAward(amount: 45_000_000, awarded: 40_000_000), .tranchesDoNotSum(tranches: 40_000_000, amount: 45_000_000)])
        let schedule = [Tranche(number: 1, amountTyiyn: 24_000_000, paidTyiyn: 20_000_000), Tranche(number: 2, amountTyiyn: 16_000_000, paidTyiyn: 0)]
        #expect(ContractCheck.disbursement(4_000_000, to: 1, of: schedule) == nil, "the rest of the first tranche")
        #expect(ContractCheck.disbursement(4_000_001, to: 1, of: schedule) == .overTranche(remaining: 4_000_000))
        #expect(ContractCheck.disbursement(1_000_000, to: 2, of: schedule) == .earlierTrancheUnpaid(number: 1))
        #expect(ContractCheck.disbursement(0, to: 1, of: schedule) == .notPositive)
    }

    @Test("the ledger shows planned, paid and spent by source, and the co-funding leverage")
    func ledger() {
        let ledger = GrantLedger(planned: [.grant: 400, .localBudget: 60, .community: 40], paid: [.grant: 240], spent: [.grant: 200, .community: 40])
        #expect(ledger.rows.map(\.source) == [.grant, .localBudget, .community])
        #expect(ledger.total.planned == 500 && ledger.total.paid == 240 && ledger.total.spent == 240)
        #expect(ledger.leverage == Rational(1) / Rational(4))
        #expect(GrantLedger(planned: [.community: 5], paid: [:], spent: [:]).leverage == nil)
    }
}

@Suite("Small grants: who sees and scores what")
struct ReviewAccessTests {
    @Test("a reviewer from the applicant or its municipality is conflicted, as is one who declared it; scores show once all others scored")
    func access() {
        let (cso, ayilOkmotu, village, raion, oblast) = (UUID(), UUID(), UUID(), UUID(), UUID())
        let path = [village, raion, oblast]
        #expect(ReviewAccess.conflict(reviewerOrganisations: [cso], reviewerOrganisationTerritories: [], declared: false, applicant: cso, territoryPath: path) == .ownOrganisation)
        #expect(ReviewAccess.conflict(reviewerOrganisations: [ayilOkmotu], reviewerOrganisationTerritories: [village], declared: false, applicant: cso, territoryPath: path) == .ownMunicipality)
        #expect(ReviewAccess.conflict(reviewerOrganisations: [ayilOkmotu], reviewerOrganisationTerritories: [oblast], declared: false, applicant: cso, territoryPath: path) == nil,
                "an oblast body is not the applicant's municipality")
        #expect(ReviewAccess.conflict(reviewerOrganisations: [], reviewerOrganisationTerritories: [], declared: true, applicant: cso, territoryPath: path) == .declared)
        let (a, b, c) = (UUID(), UUID(), UUID())
        #expect(!ReviewAccess.scoresRevealed(reviewers: [a, b, c], conflicted: [], scored: [a, b]))
        #expect(ReviewAccess.scoresRevealed(reviewers: [a, b, c], conflicted: [c], scored: [a, b]), "the conflicted reviewer is not waited for")
        #expect(!ReviewAccess.scoresRevealed(reviewers: [a], conflicted: [a], scored: []), "nobody could score")
    }
}

@Suite("Small grants: the line-per-entry form lists")
struct GrantLinesTests {
    @Test("budget lines, criteria, tranches and activities are read, and every bad line is named")
    func lines() throws {
        let lines = try GrantLines.budgetLines("Фонарлар | grant | 400 000\n\n  Эмгек | community | 40 000,50 ").get()
        #expect(lines == [BudgetLine(item: "Фонарлар", source: .grant, amountTyiyn: 40_000_000), BudgetLine(item: "Эмгек", source: .community, amountTyiyn: 4_000_050)])
        #expect(GrantLines.budgetLines("Фонарлар | гранттан | 400\n | grant | 5\nЭмгек | community | -3\nбир эле талаа") == .failure(.init(lines: [
            .init(line: 1, catalogKey: "grants.lines.source"), .init(line: 2, catalogKey: "grants.lines.item_missing"),
            .init(line: 3, catalogKey: "grants.lines.amount"), .init(line: 4, catalogKey: "grants.lines.columns"),
        ])))
        #expect(try GrantLines.budgetLines("Фонарлар | grant | 400\r\nЭмгек | community | 40\r\n").get().count == 2, "browsers send CRLF")
        #expect(try GrantLines.criteria("Маанилүүлүк | 30 | 10").get() == [.init(name: "Маанилүүлүк", weightPercent: 30, maxScore: 10)])
        #expect(GrantLines.criteria("Маанилүүлүк | 0 | 10") == .failure(.init(lines: [.init(line: 1, catalogKey: "grants.lines.criterion")])))
        #expect(try GrantLines.tranches("2026-03-01 | 240 000 | келишимге кол коюлганда\n2026-06-01 | 160 000").get().map(\.amountTyiyn) == [24_000_000, 16_000_000])
        #expect(GrantLines.tranches("2026-13-01 | 5") == .failure(.init(lines: [.init(line: 1, catalogKey: "grants.lines.date")])))
        #expect(GrantLines.activities("Орнотуу | 2026-05 | 2026-04") == .failure(.init(lines: [.init(line: 1, catalogKey: "grants.lines.activity_backwards")])))
    }
}

@Suite("Rational display")
struct RationalDisplayTests {
    @Test("rounded half away from zero to the digits asked")
    func decimal() {
        #expect(Rational(205, 3).decimal(digits: 1) == Decimal(string: "68.3"))
        #expect(Rational(137, 2).decimal(digits: 0) == Decimal(69))
        #expect(Rational(-1, 4).decimal(digits: 1) == Decimal(string: "-0.3"))
        #expect(Rational(80).fixed(digits: 2) == "80.00" && Rational(1, 200).fixed(digits: 2) == "0.01" && Rational(-1, 3).fixed(digits: 1) == "-0.3")
    }
}

/// A day written in a test; a typo fails the test run at once.
func day(_ text: String) -> Day {
    guard let day = Day(text) else { fatalError("not a day: \(text)") }
    return day
}
