import DemilgeCore
import Fluent
import Foundation

final class GrantBudgetLine: Model, @unchecked Sendable {
    static let schema = "grant_budget_lines"
    @ID(key: .id) var id: UUID?
    @Parent(key: "application_id") var application: GrantApplication
    @Field(key: "position") var position: Int
    @Field(key: "item") var item: String
    @Field(key: "source") var source: FundingSource
    @Field(key: "amount_tyiyn") var amountTyiyn: Int64
    /// What the final report says was spent on this line.
    @OptionalField(key: "spent_tyiyn") var spentTyiyn: Int64?
    init() {}
    init(applicationID: UUID, position: Int, line: BudgetLine) {
        $application.id = applicationID
        self.position = position
        item = line.item
        source = line.source
        amountTyiyn = line.amountTyiyn
    }
    var core: BudgetLine { BudgetLine(item: item, source: source, amountTyiyn: amountTyiyn) }
}
