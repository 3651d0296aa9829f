import Fluent
import Foundation

/// An account verified as the person of one roll entry: by the person (ПИН and birth date) or in person by staff.
/// One account per entry and one entry per account; it ends with the entry.
final class ResidentVerification: Model, @unchecked Sendable {
    static let schema = "resident_verifications"

    enum Method: String, Codable, Sendable { case online, inPerson = "in_person" }

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    @Parent(key: "entry_id") var entry: ResidentEntry
    @Field(key: "method") var method: String
    @OptionalParent(key: "verified_by") var verifiedBy: User?
    @Timestamp(key: "verified_at", on: .create) var verifiedAt: Date?

    init() {}

    init(userID: UUID, entryID: UUID, method: Method, verifiedBy: UUID?) {
        self.$user.id = userID
        self.$entry.id = entryID
        self.method = method.rawValue
        self.$verifiedBy.id = verifiedBy
    }
}
