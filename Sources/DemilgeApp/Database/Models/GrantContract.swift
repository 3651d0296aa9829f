import DemilgeCore
import Fluent
import Foundation

final class GrantContract: Model, @unchecked Sendable {
    static let schema = "grant_contracts"
    @ID(key: .id) var id: UUID?
    @Parent(key: "application_id") var application: GrantApplication
    @Field(key: "number") var number: String
    @Field(key: "signed_on") var signedOn: Day
    @Field(key: "starts_on") var startsOn: Day
    @Field(key: "ends_on") var endsOn: Day
    @Field(key: "amount_tyiyn") var amountTyiyn: Int64
    @Field(key: "local_budget_tyiyn") var localBudgetTyiyn: Int64
    @Field(key: "community_tyiyn") var communityTyiyn: Int64
    @Field(key: "other_tyiyn") var otherTyiyn: Int64
    @Children(for: \.$contract) var tranches: [GrantTranche]
    init() {}
    var commitments: [FundingSource: Int64] {
        [.grant: amountTyiyn, .localBudget: localBudgetTyiyn, .community: communityTyiyn, .other: otherTyiyn]
    }
}
