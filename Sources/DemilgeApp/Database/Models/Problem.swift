import DemilgeCore
import Fluent
import Foundation

final class Problem: Model, @unchecked Sendable {
    static let schema = "problems"

    @ID(key: .id) var id: UUID?
    @Field(key: "title") var title: String
    @Field(key: "description") var description: String
    @Field(key: "category") var category: ProblemCategory
    @Parent(key: "territory_id") var territory: Territory
    /// Nil for a problem written down on the spot in a needs-assessment session.
    @OptionalParent(key: "author_id") var author: User?
    /// The initiative group on whose behalf it was raised, if any.
    @OptionalParent(key: "group_id") var group: InitiativeGroup?
    @Field(key: "status") var status: ProblemStatus
    @Field(key: "hidden") var hidden: Bool
    @OptionalField(key: "hidden_reason") var hiddenReason: String?
    @OptionalParent(key: "merged_into_id") var mergedInto: Problem?
    @OptionalField(key: "photo") var photo: String?
    @Field(key: "support_count") var supportCount: Int
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Field(key: "version") var version: Int

    init() {}

    init(title: String, description: String, category: ProblemCategory, territoryID: UUID, authorID: UUID?) {
        self.title = title
        self.description = description
        self.category = category
        self.$territory.id = territoryID
        self.$author.id = authorID
        self.status = ProblemStatus.raised
        self.hidden = false
        self.supportCount = 0
        self.version = 1
    }


    /// Publicly listed: not hidden by a moderator and not merged into another problem.
    var isListed: Bool { !hidden && $mergedInto.id == nil }

    struct Snapshot: Codable {
        var title: String, category: ProblemCategory, territoryID: UUID, status: ProblemStatus, hidden: Bool, hiddenReason: String?, mergedInto: UUID?
    }

    var snapshot: Snapshot {
        Snapshot(title: title, category: category, territoryID: $territory.id, status: status, hidden: hidden,
                 hiddenReason: hiddenReason, mergedInto: $mergedInto.id)
    }
}
