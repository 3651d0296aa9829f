import DemilgeCore
import Fluent
import Foundation

final class Programme: Model, @unchecked Sendable {
    static let schema = "programmes"

    @ID(key: .id) var id: UUID?
    @Field(key: "slug") var slug: String
    @Field(key: "name_ky") var nameKy: String
    @OptionalField(key: "name_ru") var nameRu: String?
    @OptionalField(key: "name_en") var nameEn: String?
    @Field(key: "summary_ky") var summaryKy: String
    @OptionalField(key: "summary_ru") var summaryRu: String?
    @OptionalField(key: "summary_en") var summaryEn: String?
    @OptionalParent(key: "donor_id") var donor: Organisation?
    @OptionalParent(key: "implementer_id") var implementer: Organisation?
    /// First and last month (`YYYY-MM`), when the sources give them.
    @OptionalField(key: "start_month") var startMonthText: String?
    @OptionalField(key: "end_month") var endMonthText: String?
    @OptionalField(key: "budget_minor") var budgetMinor: Int64?
    @OptionalField(key: "budget_currency") var budgetCurrency: String?
    @Field(key: "national") var national: Bool
    /// Goals as a JSON array of `LocalizedText`.
    @Field(key: "goals") var goalsJSON: String
    @Field(key: "sources") var sources: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    @Siblings(through: ProgrammePartner.self, from: \.$programme, to: \.$organisation) var partners: [Organisation]
    @Siblings(through: ProgrammeRegion.self, from: \.$programme, to: \.$territory) var regions: [Territory]
    @Children(for: \.$programme) var grantees: [ProgrammeGrantee]

    init() {}

    var name: LocalizedText { LocalizedText(ky: nameKy, ru: nameRu, en: nameEn) }
    var summary: LocalizedText { LocalizedText(ky: summaryKy, ru: summaryRu, en: summaryEn) }

    var startMonth: YearMonth? { startMonthText.flatMap(YearMonth.init) }
    var endMonth: YearMonth? { endMonthText.flatMap(YearMonth.init) }

    var budget: Money? {
        guard let budgetMinor, let code = budgetCurrency, let currency = Currency(rawValue: code) else { return nil }
        return Money(minorUnits: budgetMinor, currency: currency)
    }

    var goals: [LocalizedText] {
        (try? JSONDecoder().decode([LocalizedText].self, from: Data(goalsJSON.utf8))) ?? []
    }
}

final class ProgrammePartner: Model, @unchecked Sendable {
    static let schema = "programme_partners"
    @ID(key: .id) var id: UUID?
    @Parent(key: "programme_id") var programme: Programme
    @Parent(key: "organisation_id") var organisation: Organisation
    init() {}
}

final class ProgrammeRegion: Model, @unchecked Sendable {
    static let schema = "programme_regions"
    @ID(key: .id) var id: UUID?
    @Parent(key: "programme_id") var programme: Programme
    @Parent(key: "territory_id") var territory: Territory
    init() {}
}

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
