import DemilgeCore
import Fluent
import Foundation

final class GrantTranche: Model, @unchecked Sendable {
    static let schema = "grant_tranches"
    @ID(key: .id) var id: UUID?
    @Parent(key: "contract_id") var contract: GrantContract
    @Field(key: "number") var number: Int
    @Field(key: "planned_on") var plannedOn: Day
    @Field(key: "amount_tyiyn") var amountTyiyn: Int64
    @Field(key: "condition") var condition: String
    init() {}
}
