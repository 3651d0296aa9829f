import DemilgeCore
import Fluent
import Foundation

/// One person on a municipality's resident roll. The ПИН is kept only as its keyed hash (`PersonalNumberHasher`);
/// birth date and sex come from the roll or from the ПИН itself.
final class ResidentEntry: Model, @unchecked Sendable {
    static let schema = "resident_roll_entries"

    enum Source: String, Codable, Sendable {
        /// From the uploaded roll file; a replaced roll drops it when the new file no longer has the person.
        case roll
        /// Added by staff or a facilitator who saw the person's ID; kept when the roll is replaced.
        case inPerson = "in_person"
    }

    @ID(key: .id) var id: UUID?
    /// The municipality whose roll this is.
    @Parent(key: "territory_id") var territory: Territory
    @Parent(key: "settlement_id") var settlement: Territory
    @Field(key: "pin_hash") var pinHash: String
    @Field(key: "name") var name: String
    @OptionalField(key: "birth_date") var birthDate: String?
    @OptionalField(key: "sex") var sex: String?
    @Field(key: "source") var source: String
    @OptionalParent(key: "added_by") var addedBy: User?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(territoryID: UUID, settlementID: UUID, pinHash: String, name: String, birthDate: BirthDate?, sex: Sex?, source: Source, addedBy: UUID?) {
        self.$territory.id = territoryID
        self.$settlement.id = settlementID
        self.pinHash = pinHash
        self.name = name
        self.birthDate = birthDate?.description
        self.sex = sex?.rawValue
        self.source = source.rawValue
        self.$addedBy.id = addedBy
    }

    func birth(today: Day = Day.today()) -> BirthDate? { birthDate.flatMap { BirthDate($0, today: today) } }
    var personSex: Sex? { sex.flatMap(Sex.init(rawValue:)) }
}
