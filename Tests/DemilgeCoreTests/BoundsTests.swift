import DemilgeCore
import Foundation
import Testing

/// Values from requests and stored rows are read and added up without ever trapping.
@Suite("Bounded numbers and checked sums")
struct BoundsTests {
    @Test("whole numbers: ASCII digits within the field's range, anything else is no number")
    func boundedIntegers() {
        #expect(BoundedInt.parse("42", in: 0...100) == 42)
        #expect(BoundedInt.parse(" 7 ", in: 0...100) == 7)
        #expect(BoundedInt.parse("-3", in: -5...5) == -3)
        for text in ["9223372036854775807", "9223372036854775808", "99999999999999999999999", "101", "-1", "", "+3", "1e3", "0x10", "١٢", "３", "1.0", "1 000", "--1"] {
            #expect(BoundedInt.parse(text, in: 0...100) == nil, "\(text)")
        }
        #expect(BoundedInt.parse(String(repeating: "9", count: 10_000), in: 0...Int.max) == nil)
    }

    @Test("list pages: 1…10 000 and 1…100 per page, refused outside, absent means the first page")
    func pages() throws {
        #expect(try ListPage.parse(page: nil, perPage: nil, defaultPerPage: 20) == ListPage(page: 1, perPage: 20))
        #expect(try ListPage.parse(page: "10000", perPage: "100", defaultPerPage: 20).offset == 9_999 * 100)
        #expect(throws: ListPage.Problem.page) { try ListPage.parse(page: "9223372036854775807", perPage: nil, defaultPerPage: 20) }
        #expect(throws: ListPage.Problem.page) { try ListPage.parse(page: "0", perPage: nil, defaultPerPage: 20) }
        #expect(throws: ListPage.Problem.page) { try ListPage.parse(page: "10001", perPage: nil, defaultPerPage: 20) }
        #expect(throws: ListPage.Problem.perPage) { try ListPage.parse(page: "1", perPage: "101", defaultPerPage: 20) }
        #expect(throws: ListPage.Problem.perPage) { try ListPage.parse(page: "1", perPage: "-5", defaultPerPage: 20) }
    }

    @Test("sums saturate or report overflow instead of trapping")
    func sums() {
        #expect([Int.max, 1].saturatingSum() == .max)
        #expect([Int.min, -1].saturatingSum() == .min)
        #expect([Int64.max, Int64.max].saturatingSum() == .max)
        #expect([Int64.max, 1].checkedSum() == nil)
        #expect([Int64(1), 2, 3].checkedSum() == 6)
        #expect(Int64.max.saturatingMultiplied(by: 100) == .max && Int64.min.saturatingMultiplied(by: 2) == .min)
        #expect(Int64.min.saturatingSubtracting(1) == .min)
        #expect(Money.som(.max).minorUnits == .max, "whole units to tyiyn saturates")
    }

    @Test("money as typed: at most a trillion сом, so that the sum of many amounts fits")
    func moneyBound() throws {
        #expect(try Money.parse("1 000 000 000 000").minorUnits == Money.maximumMinorUnits)
        #expect(throws: Money.ParseError.tooLarge) { try Money.parse("1 000 000 000 000,01") }
        #expect(throws: Money.ParseError.tooLarge) { try Money.parse("999999999999999") }
        #expect(throws: Money.ParseError.tooLarge) { try Money.parse("9223372036854775807") }
        let mixed = Money(minorUnits: 1, currency: .usd) < Money(minorUnits: 0, currency: .kgs)
        #expect(!mixed, "mixed currencies order by code, never trap")
    }

    @Test("a ballot's points and costs are checked without overflow")
    func ballots() {
        let cumulative = BallotDesign(type: .cumulative, envelopeTyiyn: 100, pointsTotal: 10)
        let problems = cumulative.problems([BallotChoice(project: 0, points: .max), BallotChoice(project: 1, points: .max)], costs: [1, 1])
        #expect(problems.contains(.pointsNotDistributed(expected: 10, given: .max)))
        let knapsack = BallotDesign(type: .knapsack, envelopeTyiyn: 100)
        #expect(knapsack.problems([BallotChoice(project: 0), BallotChoice(project: 1)], costs: [.max, .max]) == [.overEnvelope(chosenTyiyn: .max, envelopeTyiyn: 100)])
        #expect(knapsack.problems([BallotChoice(project: 7)], costs: [1]).isEmpty, "an unknown project costs nothing, and does not trap")
        let paper = PaperBallots.read("1:99999999999999999999, 2:1", codes: ["1", "2"], design: cumulative, costs: [1, 1])
        #expect(paper.ballots.isEmpty && paper.errors.count == 1, "an absurd number of points is unreadable, not a sum")
    }

    @Test("budget lines, tranches and ledgers add up without trapping")
    func grantSums() {
        let lines = [BudgetLine(item: "a", source: .grant, amountTyiyn: .max), BudgetLine(item: "b", source: .localBudget, amountTyiyn: .max)]
        #expect(BudgetLine.total(lines) == .max)
        let budget = ApplicationBudget(requestedTyiyn: .max, totalTyiyn: .max, lines: lines)
        #expect(budget.coFundingShare == Rational(0), "saturated totals give a share, not a trap")
        #expect(ContractCheck.problems(amountTyiyn: 1, awardedTyiyn: 1, trancheAmounts: [.max, .max]).contains(.tranchesDoNotSum(tranches: .max, amount: 1)))
        #expect(Tranche(number: 1, amountTyiyn: .min, paidTyiyn: .max).remainingTyiyn == .min)
        let ledger = GrantLedger.sum([GrantLedger(planned: [.grant: .max], paid: [:], spent: [:]), GrantLedger(planned: [.grant: .max], paid: [:], spent: [:])])
        #expect(ledger.total.planned == .max)
    }

    @Test("participant counts: bounded per cell when typed, saturating when added up from stored rows")
    func participants() throws {
        var huge = Participants()
        huge[.female, .from30to59] = .max
        #expect((huge + huge)[.female, .from30to59] == .max)
        #expect((huge + huge).total == .max)
        #expect(throws: Participants.ParseError.tooMany("female_u18")) { try Participants.parse(["female_u18": "99999999999999999999"]) }
        #expect(GroupRanking(group: "g", places: ["a": 2, "b": 1, "c": 2]).tiers == [["b"], ["a", "c"]])
    }

    @Test("a repeated key keeps its first value instead of trapping")
    func firstValues() {
        let names = Dictionary(firstValues: [("women", 1), ("women", 2), ("men", 3)])
        #expect(names == ["women": 1, "men": 3])
    }

    @Test("fractions written as text read back exactly; nonsense is no number")
    func fractions() {
        #expect(Rational(fraction: "22/7") == Rational(22) / Rational(7))
        #expect(Rational(fraction: Rational(-5, 10).description) == Rational(-1, 2))
        for text in ["", "1/0", "1/-2", "a/b", "1/2/3", "/", String(repeating: "9", count: 5_000)] {
            #expect(Rational(fraction: text) == nil, "\(text.prefix(10))")
        }
    }
}

@Suite("Work with a bound")
struct WorkBoundTests {
    /// 60 voters, each the only supporter of a project one unit dearer than the last (101, 102, …): every unit added
    /// per voter buys one more project, so no unit can be skipped and add-one works ~2 runs per unit for 48 units.
    static func staircase() throws -> BudgetingInstance {
        try BudgetingRuleTests.election(budget: "6000", projects: (1...60).map { "\($0):\(100 + $0)" }, ballots: (1...60).map { "\($0)" })
    }

    @Test("add-one stops at its bound and says so; the server refuses to publish its half-done outcome")
    func addOneBound() throws {
        let instance = try Self.staircase()
        let full = BudgetingRules.equalSharesAddOne(instance, .cost)
        #expect(full.finished && full.iterations == 49 && full.outcome.selected.count == 48)
        #expect(full.work > 50)
        #expect(throws: RuleTooLarge(rule: .mesCostSatAddOne, runs: 50)) { try BudgetingRule.mesCostSatAddOne.boundedOutcome(instance, maximumAddOneRuns: 50) }
        #expect(throws: RuleTooLarge(rule: .mesCostSatAddOneGreedy, runs: 50)) { try BudgetingRule.mesCostSatAddOneGreedy.boundedOutcome(instance, maximumAddOneRuns: 50) }
        #expect(BudgetingRules.equalSharesAddOne(instance, .cost, maximumRuns: 10).finished == false)
        let codes = instance.projects.map(\.id), channels = Array(repeating: "online", count: 60)
        #expect(throws: RuleTooLarge.self) {
            try RoundResultComputer.compute(instance, rule: .mesCostSatAddOneGreedy, comparison: .greedyCostSat, codes: codes, channels: channels,
                                            maximumAddOneRuns: 50)
        }
        // A greedy round whose add-one comparison cannot finish is counted, without the comparison.
        let (result, _) = try RoundResultComputer.compute(instance, rule: .greedyCostSat, comparison: .mesCostSatAddOneGreedy, codes: codes,
                                                          channels: channels, maximumAddOneRuns: 50)
        let greedy = BudgetingRule.greedyCostSat.outcome(instance).selected.map { instance.projects[$0].id }
        #expect(result.selected == greedy && result.comparisonRule == nil && result.comparisonSelected == nil)
    }

    @Test("add-one skips the units that cannot change MES's purchases: a billion-unit budget takes a few dozen runs")
    func addOneSkips() throws {
        // One of two voters supports a project as costly as the whole budget: step by step, 5 × 10⁸ runs.
        let instance = try BudgetingRuleTests.election(budget: "1000000000", projects: ["1:1000000000"], ballots: ["1", ""])
        let report = BudgetingRules.equalSharesAddOne(instance, .cost, maximumRuns: RoundResult.maximumAddOneRuns)
        #expect(report.finished && report.outcome.selected == [0])
        #expect(report.iterations == 500_000_001 && report.perVoterBudget == Rational(1_000_000_000))
        #expect(report.work < 200)
    }

    @Test("a session's priority list stays exact with many large groups, and refuses more than 100")
    func priorityBounds() throws {
        // Nine groups whose sizes make the common denominator as large as it gets, then single-problem groups.
        var rankings: [GroupRanking<String>] = []
        for (index, k) in [30, 28, 27, 25, 23, 22, 19, 16, 13].enumerated() {
            rankings.append(GroupRanking(group: "g\(index)", tiers: (0..<k).map { ["p\($0)"] }))
        }
        for index in 0..<(Prioritization.maximumGroups - rankings.count) { rankings.append(GroupRanking(group: "s\(index)", tiers: [["p0"]])) }
        let list = try Prioritization.aggregate(rankings)
        let top = try #require(list.entries.first)
        #expect(top.problem == "p0" && list.points(top).tenths == 91_813, "91 groups give it all their points, the nine others 2/(k+1) of theirs")
        rankings.append(GroupRanking(group: "one too many", tiers: [["p0"]]))
        #expect(throws: PrioritizationError.tooManyGroups(limit: Prioritization.maximumGroups)) { try Prioritization.aggregate(rankings) }
    }
}

@Suite("Reading pabulib files: linear, bounded")
struct PabulibBoundsTests {
    static func file(projects: Int, ballots: [String], points: [String]? = nil, voteType: String = "approval") -> String {
        var text = "META\nkey;value\nbudget;1000\nvote_type;\(voteType)\nPROJECTS\nproject_id;cost\n"
        for index in 0..<projects { text += "\(index);1\n" }
        text += points == nil ? "VOTES\nvoter_id;vote\n" : "VOTES\nvoter_id;vote;points\n"
        for (index, ballot) in ballots.enumerated() { text += "\(index);\(ballot)" + (points.map { ";\($0[index])" } ?? "") + "\n" }
        return text
    }

    @Test("too many projects, ballots, or too long a line is a clear error with the line")
    func limits() {
        let limits = PabulibReader.Limits(projects: 3, ballots: 2, lineLength: 40, points: 10)
        #expect(throws: PabulibReader.ParseError(line: 10, reason: "more than 3 projects")) { try PabulibReader.parse(Self.file(projects: 4, ballots: []), limits: limits) }
        #expect(throws: PabulibReader.ParseError(line: 13, reason: "more than 2 ballots")) {
            try PabulibReader.parse(Self.file(projects: 2, ballots: ["0", "1", "0,1"]), limits: limits)
        }
        let long = Self.file(projects: 2, ballots: [Array(repeating: "0", count: 30).joined(separator: ",")])
        #expect(throws: PabulibReader.ParseError(line: 11, reason: "line longer than 40 bytes")) { try PabulibReader.parse(long, limits: limits) }
        let points = Self.file(projects: 2, ballots: ["0,1"], points: ["5,11"], voteType: "cumulative")
        #expect(throws: PabulibReader.ParseError(line: 11, reason: "points do not match the vote (whole numbers 0…10, one per project)")) {
            try PabulibReader.parse(points, limits: limits)
        }
    }

    @Test("a ballot naming every project with points is read in one pass, first mention kept")
    func wideBallot() throws {
        let count = 2_000
        let ids = (0..<count).map(String.init)
        let points = (0..<count).map { String($0 % 7) }
        let text = Self.file(projects: count, ballots: [(ids + ["5"]).joined(separator: ",")], points: [(points + ["6"]).joined(separator: ",")], voteType: "cumulative")
        let instance = try PabulibReader.parse(text)
        #expect(instance.ballots[0].projects.count == count && instance.ballots[0].points[5] == 5, "the repeated 5 keeps its first points")
    }
}

@Suite("Open-data safety")
struct OpenDataSafetyTests {
    @Test("CSV cells that start like a formula are written as text and read back as typed")
    func formulas() throws {
        let cells = ["=HYPERLINK(\"http://evil\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "-12.50", "12", "обычный текст", "'=already",
                     "Жол;=HYPERLINK(\"http://evil\",\"x\")"]
        let text = CSV.write(header: ["cell"], rows: cells.map { [$0] })
        #expect(text.contains("\"'=HYPERLINK(\"\"http://evil\"\")\"") && text.contains("\r\n'+1\r\n") && text.contains("\r\n'-2+3\r\n") && text.contains("\r\n'@SUM(A1)\r\n"))
        #expect(text.contains("\r\n-12.50\r\n") && text.contains("\r\n12\r\n"), "plain numbers stay numbers")
        let back = try CSV.parse(text).dropFirst().map { $0.fields[0] }
        #expect(back == cells, "an import reads back exactly what was exported")
        #expect(text.contains("''=already"))
        #expect(text.contains("\r\n\"Жол;=HYPERLINK("), "a field with a semicolon is one quoted cell in ru/ky spreadsheets too")
    }

    @Test("photo metadata: EXIF, XMP, comments and text chunks go, the picture stays")
    func photoMetadata() {
        func segment(_ marker: UInt8, _ payload: [UInt8]) -> [UInt8] { [0xFF, marker, UInt8((payload.count + 2) >> 8), UInt8((payload.count + 2) & 0xFF)] + payload }
        let jfif = segment(0xE0, Array("JFIF\0".utf8) + [1, 1, 0, 0, 1, 0, 1, 0, 0])
        let exif = segment(0xE1, Array("Exif\0\0GPS 40.52 72.79".utf8))
        let icc = segment(0xE2, Array("ICC_PROFILE\0".utf8))
        let comment = segment(0xFE, Array("taken at home".utf8))
        let scan = segment(0xDA, [1, 1, 0, 0, 63, 0]) + [0x12, 0xFF, 0x00, 0x34] + [0xFF, 0xD9]
        let jpeg: [UInt8] = [0xFF, 0xD8] + jfif + exif + icc + comment + scan
        #expect(PhotoMetadata.stripped(jpeg) == [0xFF, 0xD8] + jfif + icc + scan)
        // A progressive picture with EXIF between its scans, and a second picture (with its own GPS) after the end.
        let secondScan = segment(0xDA, [1, 1, 0, 0, 63, 0]) + [0x56, 0xFF, 0xD3, 0x78]
        let progressive = [0xFF, 0xD8] + jfif + segment(0xDA, [1, 1, 0, 0, 63, 0]) + [0x12, 0x34] + exif + secondScan + [0xFF, 0xD9] + [0xFF, 0xD8] + exif + [0xFF, 0xD9]
        #expect(PhotoMetadata.stripped(progressive) == [0xFF, 0xD8] + jfif + segment(0xDA, [1, 1, 0, 0, 63, 0]) + [0x12, 0x34] + secondScan + [0xFF, 0xD9])
        #expect(PhotoMetadata.stripped([0xFF, 0xD8, 0xFF, 0xE1, 0x00]) == nil, "a truncated segment is refused")
        #expect(PhotoMetadata.stripped([0xFF, 0xD8] + jfif) == nil, "no picture data")
        #expect(PhotoMetadata.stripped(Array("GIF89a".utf8)) == nil)
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
            [UInt8(data.count >> 24), UInt8((data.count >> 16) & 0xFF), UInt8((data.count >> 8) & 0xFF), UInt8(data.count & 0xFF)] + Array(type.utf8) + data + [0, 0, 0, 0]
        }
        let header = chunk("IHDR", Array(repeating: 1, count: 13)), text = chunk("tEXt", Array("GPS\0here".utf8)), data = chunk("IDAT", [1, 2, 3]), end = chunk("IEND", [])
        png += header + text + chunk("eXIf", [1]) + data + end
        #expect(PhotoMetadata.stripped(png) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + header + data + end)
        #expect(PhotoMetadata.stripped(Array(png.prefix(20))) == nil)
    }

    @Test("a round's inputs hash ignores the order ballots come back in, and changes with any ballot")
    func inputsHash() throws {
        let a = try BudgetingRuleTests.election(budget: "25", projects: ["1:10", "2:20"], ballots: ["1", "1,2"])
        var b = a
        b.ballots.reverse()
        var c = a
        c.ballots[0] = try BudgetingRuleTests.election(budget: "25", projects: ["1:10", "2:20"], ballots: ["2"]).ballots[0]
        let hash = { (instance: BudgetingInstance) in RoundResultComputer.inputsHash(instance, rule: .greedyCostSat, codes: ["1", "2"]) }
        #expect(hash(a) == hash(b) && hash(a) != hash(c))
        #expect(RoundResultComputer.inputsHash(a, rule: .mesCostSat, codes: ["1", "2"]) != hash(a), "the rule is an input")
        let (result, _) = try RoundResultComputer.compute(a, rule: .greedyCostSat, comparison: .mesCostSat, codes: ["1", "2"], channels: ["online", "paper"])
        #expect(result.votes["1"]?.byChannel == ["online": 1, "paper": 1] && result.ballots == ["online": 1, "paper": 1])
        #expect(result.selected == ["1"] && result.verdicts?["2"]?.kind == .notFundedInTurn)
    }
}
