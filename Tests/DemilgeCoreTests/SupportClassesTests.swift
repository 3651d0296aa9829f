@testable import DemilgeCore
import Foundation
import Testing

/// add-one's certificates replay budgets by classes of supporters and carry bounds from budget to budget; both must
/// agree with paying voter by voter, or a certificate would vouch for units it never checked.
@Suite("Classes of supporters and remembered funds")
struct SupportClassesTests {
    /// A random approval election, a random sequence of its candidates and a share for each, at a random budget.
    private struct Case {
        let run: EqualSharesRun
        let purchases: [Purchase]
        let shares: [Double]
        let budget: Rational

        init(_ generator: inout SeedRandom) throws {
            let count = Int.random(in: 2...12, using: &generator)
            let ballots = (0..<Int.random(in: 1...60, using: &generator)).map { _ in
                (0..<count).filter { _ in Int.random(in: 0..<3, using: &generator) == 0 }.map { "p\($0)" }.joined(separator: ",")
            }
            let instance = try BudgetingRuleTests.election(budget: "1000", projects: (0..<count).map { "p\($0):\(10 * ($0 + 1))" },
                                                           ballots: ballots)
            run = EqualSharesRun(instance, .cost)
            purchases = run.candidates.shuffled(using: &generator).prefix(Int.random(in: 0...run.candidates.count, using: &generator))
                .map { Purchase(project: $0, rho: 0, payingWeight: nil) }
            shares = purchases.map { _ in Double(Int.random(in: 0...40, using: &generator)) / 4 }
            budget = Rational(Int.random(in: 0...60, using: &generator))
        }

        /// Every voter's money after paying the purchases one by one, as MES's fast pass does.
        var voterByVoter: FastMoney {
            var money = FastMoney(budget, voters: run.instance.ballots.count)
            for (step, purchase) in purchases.enumerated() { run.pay(purchase.project, share: shares[step], from: &money) }
            return money
        }
    }

    @Test("voters supporting the same purchases hold, to the last bit, what each holds after paying voter by voter")
    func classesHoldWhatVotersHold() throws {
        var generator = SeedRandom(seed: 61)
        var grouped = 0
        for _ in 0..<200 {
            let example = try Case(&generator)
            let run = example.run
            let classes = try #require(SupportClasses(run))
            #expect(classes.follow(example.purchases, of: run))
            let expected = example.voterByVoter
            let materialized = classes.perVoter(budget: example.budget, after: example.purchases.count, shares: example.shares)
            #expect(materialized.money == expected.money && materialized.empty == expected.empty)
            for project in run.candidates {
                // Asked for three times, a project's supporters are grouped: the same figures either way.
                for _ in 0..<SupportClasses.groupingFrom {
                    let group = classes.group(project, after: example.purchases.count, of: run)
                    var money = ClassMoney()
                    SupportClasses.fill(group, budget: example.budget.doubleValue, startsEmpty: example.budget.isZero,
                                        shares: example.shares, into: &money)
                    let voters = run.supporters[project].map(Int.init)
                    #expect(group.counts.reduce(0, +) == Double(voters.count))
                    #expect(money.emptyCount == Double(voters.filter { expected.empty[$0] == 1 }.count))
                    // As `fastRho` has it: voters with nothing left lifted far above any share.
                    #expect(money.lowest == voters.map { expected.money[$0] + Double(expected.empty[$0]) * 1e300 }.min() ?? .infinity)
                    let total = voters.reduce(0.0) { $0 + expected.money[$1] }
                    #expect(abs(money.total - total) <= 1e-9 * max(1, total))
                    grouped += group.masks.count < voters.count ? 1 : 0
                }
            }
        }
        #expect(grouped > 100, "the elections have supporters that share classes: \(grouped)")
    }

    @Test("following a new sequence keeps what its first purchases share with the old one, and nothing else")
    func followingKeepsOnlyTheSharedStart() throws {
        var generator = SeedRandom(seed: 62)
        for _ in 0..<200 {
            let first = try Case(&generator), run = first.run
            // A second sequence of the same election: the first's start, then the rest reordered.
            let kept = Int.random(in: 0...first.purchases.count, using: &generator)
            let second = Array(first.purchases.prefix(kept)) + first.purchases.dropFirst(kept).shuffled(using: &generator)
            let reused = try #require(SupportClasses(run)), fresh = try #require(SupportClasses(run))
            #expect(reused.follow(first.purchases, of: run) && fresh.follow(second, of: run))
            for project in run.candidates {
                for step in 0...first.purchases.count { for _ in 0..<SupportClasses.groupingFrom { _ = reused.group(project, after: step, of: run) } }
            }
            #expect(reused.follow(second, of: run))
            for project in run.candidates {
                for step in 0...second.count {
                    let old = reused.group(project, after: step, of: run)
                    var new = fresh.group(project, after: step, of: run)
                    for _ in 1..<SupportClasses.groupingFrom where new.masks.count != old.masks.count { new = fresh.group(project, after: step, of: run) }
                    #expect(old.masks == new.masks && old.counts == new.counts, "project \(project) after \(step) of \(second.map(\.project))")
                }
            }
        }
    }

    @Test("what supporters would pay at a budget, remembered, bounds what they pay at another with the same purchases")
    func rememberedFundsBoundOtherBudgets() throws {
        var generator = SeedRandom(seed: 63)
        var checked = 0
        for _ in 0..<300 {
            let low = try Case(&generator), run = low.run
            // The same purchases at a higher budget, each share no larger (as when MES has more money).
            let high = Rational(Int.random(in: 0...20, using: &generator)) + low.budget
            let highShares = low.shares.map { $0 * Double(Int.random(in: 50...100, using: &generator)) / 100 }
            var highMoney = FastMoney(high, voters: run.instance.ballots.count)
            for (step, purchase) in low.purchases.enumerated() { run.pay(purchase.project, share: highShares[step], from: &highMoney) }
            let steps = Int.random(in: 0...low.purchases.count, using: &generator)
            // Remembered after the first `steps` purchases at the low budget; asked after all of them at the high one.
            var lowMoney = FastMoney(low.budget, voters: run.instance.ballots.count)
            for (step, purchase) in low.purchases.prefix(steps).enumerated() { run.pay(purchase.project, share: low.shares[step], from: &lowMoney) }
            var memory = FundsMemory(projects: run.instance.projects.count)
            for project in run.candidates {
                let rho = Double(Int.random(in: 1...50, using: &generator)) / 100
                let funds = run.fundsAt(rho, project, lowMoney)
                memory.record(.race, project, budget: low.budget.doubleValue, shares: Array(low.shares.prefix(steps)), rho: rho, funds: funds)
                let asked = rho * Double(Int.random(in: 50...100, using: &generator)) / 100
                let bound = try #require(memory.funds(.race, project, budget: high.doubleValue, shares: highShares, rho: asked,
                                                      supporters: run.supporters[project].count))
                #expect(run.fundsAt(asked, project, highMoney) <= bound)
                // Never asked about fewer purchases paid than remembered, nor a higher ρ.
                if steps > 0 {
                    #expect(memory.funds(.race, project, budget: high.doubleValue, shares: Array(highShares.prefix(steps - 1)), rho: asked,
                                         supporters: 1) == nil)
                }
                #expect(memory.funds(.race, project, budget: high.doubleValue, shares: highShares, rho: rho * 2, supporters: 1) == nil)
                checked += 1
            }
            memory.forget(beyond: steps)
            #expect(run.candidates.allSatisfy { memory.funds(.race, $0, budget: 0, shares: low.shares, rho: 0, supporters: 1) != nil })
            memory.forget(beyond: steps - 1)
            #expect(steps == 0 || run.candidates.allSatisfy { memory.funds(.race, $0, budget: 0, shares: low.shares, rho: 0, supporters: 1) == nil })
        }
        #expect(checked > 1_000)
    }
}
