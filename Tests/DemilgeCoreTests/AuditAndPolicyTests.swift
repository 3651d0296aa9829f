import DemilgeCore
import Foundation
import Testing

@Suite("Audit chain")
struct AuditChainTests {
    static func chain(_ count: Int) -> [ChainedAuditEntry] {
        var entries: [ChainedAuditEntry] = []
        for sequence in 1...Int64(count) {
            let record = AuditRecord(sequence: sequence, atMillis: 1_700_000_000_000 + sequence, actor: "user:a", action: "territory.update",
                                     entityType: "territory", entityID: "KG-O", before: "{\"n\":\(sequence)}", after: nil)
            entries.append(AuditChain.append(record, after: entries.last))
        }
        return entries
    }

    @Test("an untouched chain verifies")
    func intact() {
        #expect(AuditChain.verify(Self.chain(5)) == nil)
        #expect(AuditChain.verify([ChainedAuditEntry]()) == nil)
        #expect(Self.chain(1)[0].previousHash == AuditChain.genesisHash)
    }

    @Test("changing, removing, reordering or re-hashing an entry is detected")
    func tampering() {
        var altered = Self.chain(5)
        altered[2].record.after = "{\"n\":999}"
        #expect(AuditChain.verify(altered) == .alteredEntry(sequence: 3))

        var removed = Self.chain(5)
        removed.remove(at: 2)
        #expect(AuditChain.verify(removed) == .sequenceGap(after: 2, found: 4))

        var rehashed = Self.chain(5)
        rehashed[1].record.actor = "user:mallory"
        rehashed[1].hash = AuditChain.hash(rehashed[1].record, previousHash: rehashed[1].previousHash)
        #expect(AuditChain.verify(rehashed) == .brokenLink(sequence: 3), "re-hashing one entry breaks the next link")

        let truncatedHead = Array(Self.chain(5).dropFirst())
        #expect(AuditChain.verify(truncatedHead) == .brokenLink(sequence: 2))
    }

    @Test("field boundaries are part of the hash")
    func boundaries() {
        let a = AuditRecord(sequence: 1, atMillis: 1, actor: "ab", action: "c", entityType: "t", entityID: "i", before: nil, after: nil)
        let b = AuditRecord(sequence: 1, atMillis: 1, actor: "a", action: "bc", entityType: "t", entityID: "i", before: nil, after: nil)
        let c = AuditRecord(sequence: 1, atMillis: 1, actor: "ab", action: "c", entityType: "t", entityID: "i", before: "", after: nil)
        #expect(AuditChain.hash(a, previousHash: AuditChain.genesisHash) != AuditChain.hash(b, previousHash: AuditChain.genesisHash))
        #expect(AuditChain.hash(a, previousHash: AuditChain.genesisHash) != AuditChain.hash(c, previousHash: AuditChain.genesisHash))
    }
}

@Suite("Authorization policy")
struct PolicyTests {
    static let osh = UUID(), nookat = UUID(), gulistan = UUID(), ozgon = UUID(), jazy = UUID()
    static let programme = UUID(), otherProgramme = UUID()
    static let inGulistan = Target(territoryPath: [gulistan, nookat, osh])
    static let inJazy = Target(territoryPath: [jazy, ozgon, osh])

    static func actor(_ grants: RoleGrant...) -> Principal { Principal(userID: UUID(), grants: grants) }

    @Test("a territorial grant covers the territory and everything under it, nothing beside or above it")
    func territorialScope() {
        let facilitator = Self.actor(RoleGrant(.facilitator, .territory(Self.nookat)))
        #expect(Policy.allows(facilitator, .recordFieldWork, on: Self.inGulistan))
        #expect(!Policy.allows(facilitator, .recordFieldWork, on: Self.inJazy))
        #expect(!Policy.allows(facilitator, .recordFieldWork, on: Target(territoryPath: [Self.osh])))
        #expect(!Policy.allows(facilitator, .manageTerritories))
    }

    @Test("a programme grant covers that programme only")
    func programmeScope() {
        let manager = Self.actor(RoleGrant(.programmeManager, .programme(Self.programme)))
        #expect(Policy.allows(manager, .manageProgramme, on: Target(programmeID: Self.programme)))
        #expect(!Policy.allows(manager, .manageProgramme, on: Target(programmeID: Self.otherProgramme)))
        #expect(!Policy.allows(manager, .recordFieldWork, on: Self.inGulistan))
    }

    @Test("the whole matrix: administrators may do everything, visitors nothing, residents only what any signed-in user may")
    func matrix() {
        let administrator = Self.actor(RoleGrant(.administrator, .global))
        let resident = Self.actor(RoleGrant(.resident, .territory(Self.gulistan)))
        let scopedAdministrator = Self.actor(RoleGrant(.administrator, .territory(Self.osh)))
        for action in Action.allCases {
            #expect(Policy.allows(administrator, action, on: Self.inGulistan), "\(action)")
            #expect(!Policy.allows(.visitor, action, on: Self.inGulistan), "\(action)")
            let anyoneSignedIn = Policy.requirement(for: action) == .signedIn
            #expect(Policy.allows(resident, action, on: Self.inGulistan) == anyoneSignedIn, "\(action)")
            #expect(Policy.allows(scopedAdministrator, action, on: Self.inGulistan) == anyoneSignedIn,
                    "administration is not delegated by territory: \(action)")
        }
        #expect(!scopedAdministrator.isAdministrator, "administrator is a global role only")
    }
}
