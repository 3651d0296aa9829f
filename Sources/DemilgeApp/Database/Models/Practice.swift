import DemilgeCore
import Fluent
import Foundation

/// A completed initiative written up for other municipalities: "Кошунаңдан көрүп, өзүң андан да мыкты жаса!"
final class Practice: Model, @unchecked Sendable {
    static let schema = "practices"
    @ID(key: .id) var id: UUID?
    @Field(key: "title") var title: String
    /// A problem category: what kind of problem it solved.
    @Field(key: "theme") var theme: ProblemCategory
    @Parent(key: "territory_id") var territory: Territory
    @OptionalParent(key: "organisation_id") var organisation: Organisation?
    @OptionalParent(key: "grant_id") var grant: GrantApplication?
    @Field(key: "what_was_done") var whatWasDone: String
    @Field(key: "what_worked") var whatWorked: String
    /// The municipality's public contact (office, phone, e-mail), not a private person's.
    @Field(key: "contact") var contact: String
    @Field(key: "grant_tyiyn") var grantTyiyn: Int64
    @Field(key: "local_budget_tyiyn") var localBudgetTyiyn: Int64
    @Field(key: "community_tyiyn") var communityTyiyn: Int64
    @Field(key: "other_tyiyn") var otherTyiyn: Int64
    @Field(key: "published_on") var publishedOn: Day
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    init() {}

    var costs: [(FundingSource, Int64)] {
        [(.grant, grantTyiyn), (.localBudget, localBudgetTyiyn), (.community, communityTyiyn), (.other, otherTyiyn)]
    }

    struct Snapshot: Codable { var title: String, theme: ProblemCategory, territoryID: UUID, grantID: UUID?, costs: [Int64] }
    var snapshot: Snapshot { Snapshot(title: title, theme: theme, territoryID: $territory.id, grantID: $grant.id, costs: costs.map(\.1)) }
}
