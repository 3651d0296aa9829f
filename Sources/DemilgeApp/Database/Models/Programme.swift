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
    @OptionalField(key: "start_month") var startMonth: YearMonth?
    @OptionalField(key: "end_month") var endMonth: YearMonth?
    @OptionalField(key: "budget_minor") var budgetMinor: Int64?
    @OptionalField(key: "budget_currency") var budgetCurrency: String?
    @Field(key: "national") var national: Bool
    /// Goals as a JSON array of `LocalizedText`.
    @Field(key: "goals") var goalsJSON: JSONText<[LocalizedText]>
    @Field(key: "sources") var sources: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    @Siblings(through: ProgrammePartner.self, from: \.$programme, to: \.$organisation) var partners: [Organisation]
    @Siblings(through: ProgrammeRegion.self, from: \.$programme, to: \.$territory) var regions: [Territory]
    @Children(for: \.$programme) var grantees: [ProgrammeGrantee]

    init() {}

    var name: LocalizedText { LocalizedText(ky: nameKy, ru: nameRu, en: nameEn) }
    var summary: LocalizedText { LocalizedText(ky: summaryKy, ru: summaryRu, en: summaryEn) }

    var budget: Money? {
        guard let budgetMinor, let code = budgetCurrency, let currency = Currency(rawValue: code) else { return nil }
        return Money(minorUnits: budgetMinor, currency: currency)
    }

    var goals: [LocalizedText] {
        get { goalsJSON.value }
        set { goalsJSON = JSONText(newValue) }
    }
}
