import DemilgeCore
import Foundation
import Testing

@Suite("Problem lifecycle")
struct ProblemLifecycleTests {
    @Test("every allowed move passes with a reason; every other move is refused")
    func transitions() throws {
        let allowed: Set<[ProblemStatus]> = [
            [.raised, .underReview], [.raised, .prioritised], [.raised, .declined],
            [.underReview, .prioritised], [.underReview, .declined], [.underReview, .raised],
            [.prioritised, .inProgress], [.prioritised, .underReview], [.prioritised, .declined],
            [.inProgress, .solved], [.inProgress, .prioritised], [.solved, .inProgress], [.declined, .raised],
        ]
        for from in ProblemStatus.allCases {
            for to in ProblemStatus.allCases {
                if allowed.contains([from, to]) {
                    try ProblemLifecycle.check(from: from, to: to, reason: "жамаат чечти")
                    #expect(throws: ProblemTransitionError.reasonRequired) { try ProblemLifecycle.check(from: from, to: to, reason: "  ") }
                } else {
                    #expect(throws: ProblemTransitionError.notAllowed(from: from, to: to)) { try ProblemLifecycle.check(from: from, to: to, reason: "x") }
                }
            }
        }
    }

    @Test("anyone signed in raises, supports and comments; status, merging and moderation need a role")
    func policy() {
        let nookat = UUID(), jazy = UUID()
        let resident = Principal(userID: UUID(), grants: [RoleGrant(.resident, .territory(jazy))])
        let staff = Principal(userID: UUID(), grants: [RoleGrant(.municipalStaff, .territory(nookat))])
        for action in [Action.raiseProblem, .supportProblem, .comment] {
            #expect(Policy.allows(resident, action, on: Target(territoryPath: [nookat])))
            #expect(!Policy.allows(.visitor, action))
        }
        #expect(!Policy.allows(resident, .changeProblemStatus, on: Target(territoryPath: [jazy])))
        #expect(Policy.allows(staff, .changeProblemStatus, on: Target(territoryPath: [nookat])))
        #expect(!Policy.allows(staff, .changeProblemStatus, on: Target(territoryPath: [jazy])))
        #expect(!Policy.allows(staff, .moderate, on: Target(territoryPath: [nookat])))
        #expect(Policy.allowsSomewhere(staff, .recordCommission) && !Policy.allowsSomewhere(resident, .recordCommission))
        #expect(Policy.allowsSomewhere(resident, .raiseProblem) && !Policy.allowsSomewhere(.visitor, .raiseProblem))
    }
}
