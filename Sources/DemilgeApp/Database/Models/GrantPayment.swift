import DemilgeCore
import Fluent
import Foundation

/// Money paid in: a grant disbursement against a tranche, or a co-funding contribution (no tranche).
final class GrantPayment: Model, @unchecked Sendable {
    static let schema = "grant_payments"
    @ID(key: .id) var id: UUID?
    @Parent(key: "application_id") var application: GrantApplication
    @OptionalParent(key: "tranche_id") var tranche: GrantTranche?
    @Field(key: "source") var source: FundingSource
    @Field(key: "paid_on") var paidOn: Day
    @Field(key: "amount_tyiyn") var amountTyiyn: Int64
    @Field(key: "reference") var reference: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    init() {}
}
