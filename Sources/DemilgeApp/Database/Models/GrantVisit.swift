import DemilgeCore
import Fluent
import Foundation

/// A visit of the joint monitoring and evaluation group: members from the community and the council.
final class GrantVisit: Model, @unchecked Sendable {
    static let schema = "grant_visits"
    @ID(key: .id) var id: UUID?
    @Parent(key: "application_id") var application: GrantApplication
    @Field(key: "visited_on") var visitedOn: Day
    @Field(key: "community_members") var communityMembers: String
    @Field(key: "council_members") var councilMembers: String
    @Field(key: "findings") var findings: String
    @Field(key: "rating") var rating: Int
    @Field(key: "photos") var photosJSON: JSONText<[String]>
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    init() {}
    var photos: [String] {
        get { photosJSON.value }
        set { photosJSON = JSONText(newValue) }
    }
}
