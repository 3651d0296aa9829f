import DemilgeCore
import Fluent
import Foundation

final class GrantMilestone: Model, @unchecked Sendable {
    static let schema = "grant_milestones"
    @ID(key: .id) var id: UUID?
    @Parent(key: "application_id") var application: GrantApplication
    @Field(key: "title") var title: String
    @Field(key: "due_on") var dueOn: Day
    @Field(key: "progress") var progress: Int
    @Field(key: "note") var note: String
    @Field(key: "version") var version: Int
    init() {}
}
