import DemilgeCore
import Fluent
import Foundation

/// Kinds of organisation Demilge knows. Stored as their raw value.
enum OrganisationKind: String, StoredState {
    case ayilOkmotu = "ayil_okmotu"
    case mayorsOffice = "mayors_office"
    case territorialAdministration = "territorial_administration"
    case council
    case cso
    case donor
    case implementer
    case partner
    case governmentAgency = "government_agency"

    var catalogKey: String { "organisation.kind.\(rawValue)" }
}

/// Legal forms of Kyrgyz non-profits: КФ (public foundation), КБ (public association), мекеме (institution).
enum LegalForm: String, CaseIterable, Codable, Sendable {
    case publicFoundation = "KF"
    case publicAssociation = "KB"
    case institution

    var catalogKey: String { "organisation.legal_form.\(rawValue)" }
}

final class Organisation: Model, @unchecked Sendable {
    static let schema = "organisations"

    @ID(key: .id) var id: UUID?
    @Field(key: "slug") var slug: String
    @Field(key: "kind") var kind: OrganisationKind
    @OptionalField(key: "legal_form") var legalForm: String?
    @Field(key: "name_ky") var nameKy: String
    @OptionalField(key: "name_ru") var nameRu: String?
    @OptionalField(key: "name_en") var nameEn: String?
    @OptionalParent(key: "territory_id") var territory: Territory?
    @OptionalField(key: "place") var place: String?
    @OptionalField(key: "website") var website: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Field(key: "version") var version: Int
    /// An invented organisation (`demilge seed --scale`).
    @Field(key: "generated") var generated: Bool

    init() {}

    init(slug: String, kind: OrganisationKind, legalForm: LegalForm?, name: LocalizedText, territoryID: UUID?, place: String?, website: String?) {
        self.slug = slug
        self.kind = kind
        self.legalForm = legalForm?.rawValue
        self.territoryID = territoryID
        self.place = place
        self.website = website
        self.version = 1
        self.name = name
        self.generated = false
    }

    var territoryID: UUID? {
        get { $territory.id }
        set { $territory.id = newValue }
    }

    var name: LocalizedText {
        get { LocalizedText(ky: nameKy, ru: nameRu, en: nameEn) }
        set { nameKy = newValue.ky; nameRu = newValue.ru; nameEn = newValue.en }
    }


    struct Snapshot: Codable {
        var slug: String, kind: String, legalForm: String?, nameKy: String, nameRu: String?, nameEn: String?, territoryID: UUID?, place: String?, website: String?
    }

    var snapshot: Snapshot {
        Snapshot(slug: slug, kind: kind.rawValue, legalForm: legalForm, nameKy: nameKy, nameRu: nameRu, nameEn: nameEn, territoryID: territoryID, place: place, website: website)
    }
}
