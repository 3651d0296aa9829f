import DemilgeCore
import Fluent
import Foundation

final class Problem: Model, @unchecked Sendable {
    static let schema = "problems"

    @ID(key: .id) var id: UUID?
    @Field(key: "title") var title: String
    @Field(key: "description") var description: String
    @Field(key: "category") var category: String
    @Parent(key: "territory_id") var territory: Territory
    /// Nil for a problem written down on the spot in a needs-assessment session.
    @OptionalParent(key: "author_id") var author: User?
    /// The initiative group on whose behalf it was raised, if any.
    @OptionalParent(key: "group_id") var group: InitiativeGroup?
    @Field(key: "status") var status: String
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
        self.category = category.rawValue
        self.$territory.id = territoryID
        self.$author.id = authorID
        self.status = ProblemStatus.raised.rawValue
        self.hidden = false
        self.supportCount = 0
        self.version = 1
    }

    var problemStatus: ProblemStatus { ProblemStatus(rawValue: status) ?? .raised }
    var problemCategory: ProblemCategory { ProblemCategory(rawValue: category) ?? .other }

    /// Publicly listed: not hidden by a moderator and not merged into another problem.
    var isListed: Bool { !hidden && $mergedInto.id == nil }

    struct Snapshot: Codable {
        var title: String, category: String, territoryID: UUID, status: String, hidden: Bool, hiddenReason: String?, mergedInto: UUID?
    }

    var snapshot: Snapshot {
        Snapshot(title: title, category: category, territoryID: $territory.id, status: status, hidden: hidden,
                 hiddenReason: hiddenReason, mergedInto: $mergedInto.id)
    }
}

final class ProblemSupport: Model, @unchecked Sendable {
    static let schema = "problem_supports"
    @ID(key: .id) var id: UUID?
    @Parent(key: "problem_id") var problem: Problem
    @Parent(key: "user_id") var user: User
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    init() {}
    init(problemID: UUID, userID: UUID) {
        $problem.id = problemID
        $user.id = userID
    }
}

final class ProblemComment: Model, @unchecked Sendable {
    static let schema = "problem_comments"
    @ID(key: .id) var id: UUID?
    @Parent(key: "problem_id") var problem: Problem
    @Parent(key: "author_id") var author: User
    @Field(key: "body") var body: String
    @Field(key: "hidden") var hidden: Bool
    @OptionalField(key: "hidden_reason") var hiddenReason: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    init() {}
}

/// One step in a problem's public history: a status change with its reason.
final class ProblemEvent: Model, @unchecked Sendable {
    static let schema = "problem_events"
    @ID(key: .id) var id: UUID?
    @Parent(key: "problem_id") var problem: Problem
    @OptionalField(key: "from_status") var fromStatus: String?
    @Field(key: "to_status") var toStatus: String
    @Field(key: "reason") var reason: String
    @Field(key: "at_millis") var atMillis: Int64
    init() {}
    init(problemID: UUID, from: ProblemStatus?, to: ProblemStatus, reason: String, at: Date = Date()) {
        $problem.id = problemID
        fromStatus = from?.rawValue
        toStatus = to.rawValue
        self.reason = reason
        atMillis = Int64((at.timeIntervalSince1970 * 1000).rounded())
    }
}
