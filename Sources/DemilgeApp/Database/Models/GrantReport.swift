import DemilgeCore
import Fluent
import Foundation

final class GrantReport: Model, @unchecked Sendable {
    static let schema = "grant_reports"
    @ID(key: .id) var id: UUID?
    @Parent(key: "application_id") var application: GrantApplication
    @Field(key: "submitted_on") var submittedOn: Day
    @Field(key: "summary") var summary: String
    @Field(key: "reached") var reachedJSON: JSONText<Participants>
    init() {}
    var reached: Participants {
        get { reachedJSON.value }
        set { reachedJSON = JSONText(newValue) }
    }
}
