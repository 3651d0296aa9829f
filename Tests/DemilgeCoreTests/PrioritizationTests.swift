import DemilgeCore
import Testing

@Suite("Priorities from focus groups")
struct PrioritizationTests {
    @Test("every group weighs the same, whatever how many problems it ranked")
    func equalWeight() throws {
        // Women rank five problems, elders only two. Each group hands out the same total.
        let list = try Prioritization.aggregate([
            GroupRanking(group: "women", order: ["water", "road", "school", "light", "clinic"]),
            GroupRanking(group: "elders", order: ["clinic", "water"]),
        ])
        let points = Dictionary(uniqueKeysWithValues: list.entries.map { ($0.problem, $0.numerator) })
        // women: 5,4,3,2,1 of 15; elders: 2,1 of 3. Water = 5/15 + 1/3 = 2/3; clinic = 1/15 + 2/3 = 11/15.
        #expect(points["clinic"]! * 3 > points["water"]! * 3)
        #expect(points["clinic"]! * 15 == list.denominator * 11)
        #expect(points["water"]! * 3 == list.denominator * 2)
        #expect(list.entries.map(\.problem) == ["clinic", "water", "road", "school", "light"])
        let total = list.entries.reduce(Int64(0)) { $0 + $1.numerator }
        #expect(total == 2 * list.denominator, "each of the two groups hands out exactly one denominator")
        #expect(list.points(list.entries[0]).text == "73.3")
    }

    @Test("the size of a group does not change its weight")
    func sizeIrrelevant() throws {
        let a = try Prioritization.aggregate([GroupRanking(group: "big", order: ["a", "b"]), GroupRanking(group: "small", order: ["b", "a"])])
        #expect(a.entries.map(\.rank) == [1, 1], "opposite rankings of the same problems tie exactly")
        #expect(a.entries[0].numerator == a.entries[1].numerator)
    }

    @Test("tied problems share the average of the places they span")
    func ties() throws {
        let list = try Prioritization.aggregate([GroupRanking(group: "youth", tiers: [["a"], ["b", "c"], ["d"]])])
        let points = Dictionary(uniqueKeysWithValues: list.entries.map { ($0.problem, $0.numerator) })
        // 4 points for a, (3+2)/2 = 2.5 each for b and c, 1 for d; total 10.
        #expect(points["a"]! * 10 == list.denominator * 4)
        #expect(points["b"]! * 20 == list.denominator * 5)
        #expect(points["b"] == points["c"])
        #expect(list.entries.first { $0.problem == "c" }?.places["youth"] == 2)
        #expect(list.entries.first { $0.problem == "d" }?.places["youth"] == 4, "competition ranking: after a two-way tie at 2 comes 4")
        #expect(list.entries.map(\.rank) == [1, 2, 2, 4])
    }

    @Test("a problem raised in only one group counts with that group's points only")
    func raisedInOneGroup() throws {
        let list = try Prioritization.aggregate([
            GroupRanking(group: "women", order: ["water", "kindergarten"]),
            GroupRanking(group: "men", order: ["water", "road"]),
            GroupRanking(group: "disability", order: ["ramp"]),
        ])
        let ramp = try #require(list.entries.first { $0.problem == "ramp" })
        #expect(ramp.groupsRanking == 1)
        #expect(ramp.places == ["disability": 1])
        // A group's only problem gets that group's whole share: one denominator of the three handed out.
        #expect(ramp.numerator == list.denominator)
        // Water gets 2/3 from each of two groups (4/3 in all), more than the ramp's one whole share.
        #expect(list.entries.map(\.problem).prefix(2) == ["water", "ramp"])
        #expect(list.disagreements.isEmpty, "groups that ranked fewer than three problems leave nothing out on purpose")
    }

    @Test("problems the groups see very differently are flagged")
    func disagreements() throws {
        let list = try Prioritization.aggregate([
            GroupRanking(group: "women", order: ["kindergarten", "water", "road", "light"]),
            GroupRanking(group: "men", order: ["road", "water", "light", "kindergarten"]),
            GroupRanking(group: "youth", order: ["sport", "water", "road"]),
        ])
        #expect(Set(list.disagreements) == ["kindergarten", "sport", "light"])
        #expect(list.rankedCount == ["women": 4, "men": 4, "youth": 3])
    }

    @Test("empty, duplicate and oversized input is rejected with a clear error")
    func rejects() {
        #expect(throws: PrioritizationError.noGroups) { try Prioritization.aggregate([GroupRanking<String>]()) }
        #expect(throws: PrioritizationError.emptyGroup("elders")) {
            try Prioritization.aggregate([GroupRanking(group: "women", order: ["a"]), GroupRanking(group: "elders", tiers: [[], []])])
        }
        #expect(throws: PrioritizationError.duplicateProblem(group: "men")) { try Prioritization.aggregate([GroupRanking(group: "men", tiers: [["a"], ["a"]])]) }
        #expect(throws: PrioritizationError.duplicateGroup("men")) {
            try Prioritization.aggregate([GroupRanking(group: "men", order: ["a"]), GroupRanking(group: "men", order: ["b"])])
        }
        #expect(throws: PrioritizationError.tooManyProblems(group: "g", limit: 30)) {
            try Prioritization.aggregate([GroupRanking(group: "g", order: Array(0..<31))])
        }
    }

    @Test("exact at the limits: thirty groups of every size up to thirty problems")
    func limits() throws {
        let rankings = (1...30).map { size in GroupRanking(group: "g\(size)", order: Array((0..<size).map { ($0 * 7 + size) % 30 })) }
        let list = try Prioritization.aggregate(rankings)
        #expect(list.entries.reduce(Int64(0)) { $0 + $1.numerator } == 30 * list.denominator)
    }
}
