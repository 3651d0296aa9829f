import DemilgeCore
import Fluent
import Vapor

/// A signed-in account's verified person: the roll entry it was matched to, and where that person lives.
struct VerifiedResident {
    let verification: ResidentVerification
    let entry: ResidentEntry

    /// Read inside a writing transaction when a ballot depends on it.
    static func of(_ userID: UUID, on db: any Database) async throws -> VerifiedResident? {
        guard let verification = try await ResidentVerification.query(on: db).filter(\.$user.$id == userID).with(\.$entry).first() else { return nil }
        return VerifiedResident(verification: verification, entry: verification.entry)
    }

    /// Whether the person lives among `places` (a round's territory and everything under it, from the territory
    /// directory: no query, so a ballot's transaction does not walk the hierarchy while it holds the round's lock).
    func livesIn(_ places: Set<UUID>) -> Bool {
        places.contains(entry.$settlement.id)
    }

    /// Makes `userID` the verified account of `entry` (replacing any earlier verification of the account) and its
    /// residence the entry's settlement, audited. Throws `TakenByAnother` when another account holds the entry.
    static func verify(_ userID: UUID, as entry: ResidentEntry, method: ResidentVerification.Method, by actor: AuditActor,
                       verifiedBy: UUID?, on db: any Database) async throws {
        let entryID = try entry.requireID()
        if let holder = try await ResidentVerification.query(on: db).filter(\.$entry.$id == entryID).first(), holder.$user.id != userID {
            throw TakenByAnother()
        }
        try await ResidentVerification.query(on: db).filter(\.$user.$id == userID).delete()
        try await ResidentVerification(userID: userID, entryID: entryID, method: method, verifiedBy: verifiedBy).create(on: db)
        // A verified residence replaces the one the person declared.
        try await RoleAssignment.query(on: db).filter(\.$user.$id == userID).filter(\.$role == Role.resident.rawValue).delete()
        let residence = RoleAssignment(userID: userID, grant: RoleGrant(.resident, .territory(entry.$settlement.id)))
        try await residence.create(on: db)
        try await User.privilegesChanged(userID, on: db)
        try await AuditLog.record(on: db, by: actor, action: "resident.verify", entityType: "user", entityID: userID.uuidString.lowercased(),
                                  after: ["method": method.rawValue, "settlement": entry.$settlement.id.uuidString.lowercased()])
    }

    struct TakenByAnother: Error {}
}
