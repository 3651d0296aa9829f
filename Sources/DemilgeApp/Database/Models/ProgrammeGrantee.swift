import DemilgeCore
import Fluent
import Foundation

/// An organisation funded by a programme for a project (seed 004's grantees).
final class ProgrammeGrantee: Model, @unchecked Sendable {
    static let schema = "programme_grantees"
    @ID(key: .id) var id: UUID?
    @Parent(key: "programme_id") var programme: Programme
    @Parent(key: "organisation_id") var organisation: Organisation
    @Parent(key: "territory_id") var territory: Territory
    @Field(key: "title_ky") var titleKy: String
    @OptionalField(key: "title_ru") var titleRu: String?
    @OptionalField(key: "title_en") var titleEn: String?
    @Field(key: "goal_ky") var goalKy: String
    @OptionalField(key: "goal_ru") var goalRu: String?
    @OptionalField(key: "goal_en") var goalEn: String?
    init() {}

    var title: LocalizedText { LocalizedText(ky: titleKy, ru: titleRu, en: titleEn) }
    var goal: LocalizedText { LocalizedText(ky: goalKy, ru: goalRu, en: goalEn) }
}
