import DemilgeCore
import Testing

@Suite("Small grants: lifecycle, review and ranking")
struct GrantTests {
    @Test("every allowed transition names its party, and every other one is refused", arguments: GrantStatus.allCases)
    func lifecycle(_ from: GrantStatus) {
        let allowed = Dictionary(uniqueKeysWithValues: GrantLifecycle.steps(from: from).map { ($0.to, $0) })
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
            (.underReview, .scored, .commission), (.scored, .approved, .commission), (.approved, .contracted, .programmeManager),
            (.contracted, .inImplementation, .programmeManager), (.inImplementation, .completed, .programmeManager), (.completed, .closed, .programmeManager),
        ]
        for (from, to, party) in path { #expect(GrantLifecycle.check(from: from, to: to, by: party) == nil, "\(from) → \(to)") }
        #expect(GrantLifecycle.check(from: .submitted, to: .ineligible, by: .programmeManager, reason: "  ") == .reasonRequired)
        #expect(GrantLifecycle.check(from: .scored, to: .rejected, by: .commission) == .reasonRequired)
        #expect(GrantLifecycle.check(from: .submitted, to: .eligible, by: .applicant) == .wrongParty(.applicant), "applicants do not judge themselves")
        #expect(GrantLifecycle.check(from: .closed, to: .draft, by: .programmeManager) == .notAllowed(from: .closed, to: .draft))
        #expect(GrantLifecycle.stage(of: .inImplementation) == .monitoring && GrantLifecycle.stage(of: .submitted) == .proposal)
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
