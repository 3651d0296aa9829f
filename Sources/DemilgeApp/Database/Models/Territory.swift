import DemilgeCore
import Fluent
import Foundation

final class Territory: Model, @unchecked Sendable {
    static let schema = "territories"

    @ID(key: .id) var id: UUID?
    @Field(key: "code") var code: String
    @Field(key: "kind") var kind: TerritoryKind
    @OptionalParent(key: "parent_id") var parent: Territory?
    @OptionalField(key: "iso_code") var isoCode: String?
    @Field(key: "name_ky") var nameKy: String
    @OptionalField(key: "name_ru") var nameRu: String?
    @OptionalField(key: "name_en") var nameEn: String?
    @Field(key: "aliases") var aliases: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    /// Incremented on every edit; a form carries it so a stale edit is refused.
    @Field(key: "version") var version: Int
    /// An invented name (`demilge seed --scale`), not one from the seeds or an administrator.
    @Field(key: "generated") var generated: Bool

    init() {}

    init(id: UUID? = nil, code: String, kind: TerritoryKind, parentID: UUID?, isoCode: String?, name: LocalizedText, aliases: [String]) {
        self.generated = false
        self.id = id
        self.code = code
        self.kind = kind
        self.$parent.id = parentID
        self.isoCode = isoCode
        self.aliases = aliases.joined(separator: ";")
        self.version = 1
        self.name = name
    }


    var name: LocalizedText {
        get { LocalizedText(ky: nameKy, ru: nameRu, en: nameEn) }
        set { nameKy = newValue.ky; nameRu = newValue.ru; nameEn = newValue.en }
    }

    var aliasList: [String] { aliases.split(separator: ";").map(String.init) }

    struct Snapshot: Codable, Equatable {
        var code: String, kind: String, parentID: UUID?, isoCode: String?, nameKy: String, nameRu: String?, nameEn: String?, aliases: String
    }

    var snapshot: Snapshot {
        Snapshot(code: code, kind: kind.rawValue, parentID: $parent.id, isoCode: isoCode, nameKy: nameKy, nameRu: nameRu, nameEn: nameEn, aliases: aliases)
    }
}
