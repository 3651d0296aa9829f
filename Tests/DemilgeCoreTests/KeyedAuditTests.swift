import Crypto
import DemilgeCore
import Foundation
import Testing

@Suite("Audit chain: keyed hashes and the head")
struct KeyedAuditTests {
    static let key = SymmetricKey(data: Data(repeating: 7, count: 32))
    static let otherKey = SymmetricKey(data: Data(repeating: 8, count: 32))

    /// `legacy` plain entries (from before the key), then `keyed` keyed ones.
    static func chain(legacy: Int, keyed: Int) -> [ChainedAuditEntry] {
        var entries: [ChainedAuditEntry] = []
        for sequence in 1...Int64(legacy + keyed) {
            let record = AuditRecord(sequence: sequence, atMillis: 1_700_000_000_000 + sequence, actor: "user:a", action: "problem.support",
                                     entityType: "problem", entityID: "p\(sequence)", before: nil, after: nil)
            entries.append(AuditChain.append(record, after: entries.last, key: sequence > legacy ? key : nil))
        }
        return entries
    }

    static func head(_ entries: [ChainedAuditEntry]) -> AuditHead? { entries.last.map { AuditHead(for: $0, key: key) } }

    @Test("a keyed chain after a legacy one verifies with its key and head, and with no other key")
    func intact() {
        let entries = Self.chain(legacy: 3, keyed: 4)
        #expect(entries.map(\.keyed) == [false, false, false, true, true, true, true])
        #expect(AuditChain.verify(entries, head: Self.head(entries), key: Self.key) == nil)
        #expect(AuditChain.verify(entries, head: Self.head(entries), key: Self.otherKey) == .alteredEntry(sequence: 4))
        #expect(AuditChain.verify(entries) == .alteredEntry(sequence: 4), "a keyed entry cannot be checked without the key")
        #expect(AuditChain.verify([], head: nil, key: Self.key) == nil, "an empty log needs no head")
    }

    @Test("rewriting an entry without the key is seen, even as an unkeyed entry hashed afresh")
    func rewriting() {
        var forged = Self.chain(legacy: 2, keyed: 4)
        forged[4].record.actor = "user:mallory"
        forged[4].hash = AuditChain.hash(forged[4].record, previousHash: forged[4].previousHash, key: Self.otherKey)
        #expect(AuditChain.verify(forged, head: Self.head(forged), key: Self.key) == .alteredEntry(sequence: 5))

        var downgraded = Self.chain(legacy: 2, keyed: 4)
        downgraded[4].record.actor = "user:mallory"
        downgraded[4].keyed = false
        downgraded[4].hash = AuditChain.hash(downgraded[4].record, previousHash: downgraded[4].previousHash)
        #expect(AuditChain.verify(downgraded, head: Self.head(downgraded), key: Self.key) == .unkeyedEntry(sequence: 5))

        var legacyRewritten = Self.chain(legacy: 3, keyed: 2)
        legacyRewritten[1].record.actor = "user:mallory"
        legacyRewritten[1].hash = AuditChain.hash(legacyRewritten[1].record, previousHash: legacyRewritten[1].previousHash)
        legacyRewritten[2].previousHash = legacyRewritten[1].hash
        legacyRewritten[2].hash = AuditChain.hash(legacyRewritten[2].record, previousHash: legacyRewritten[2].previousHash)
        #expect(AuditChain.verify(legacyRewritten, head: Self.head(legacyRewritten), key: Self.key) == .brokenLink(sequence: 4),
                "the first keyed entry holds the legacy entries before it")
    }

    @Test("deleting the last entries is seen through the head; so is a head moved or written without the key")
    func head() {
        let entries = Self.chain(legacy: 0, keyed: 6)
        let head = Self.head(entries)
        #expect(AuditChain.verify(Array(entries.prefix(4)), head: head, key: Self.key) == .truncated(head: 6, last: 4))
        #expect(AuditChain.verify([], head: head, key: Self.key) == .truncated(head: 6, last: 0))
        #expect(AuditChain.verify(entries, head: nil, key: Self.key) == .headMissing(last: 6))

        let movedBack = AuditHead(for: entries[3], key: Self.key)
        #expect(AuditChain.verify(entries, head: movedBack, key: Self.key) == .headMismatch(head: 4, last: 6))
        let remade = AuditHead(for: entries[3], key: Self.otherKey)
        #expect(AuditChain.verify(Array(entries.prefix(4)), head: remade, key: Self.key) == .headMismatch(head: 4, last: 4),
                "cutting the log and remaking its head needs the key")
        #expect(AuditChain.verify(Array(entries.prefix(4)), head: movedBack, key: Self.key) == nil,
                "an old genuine head matches an old cut: why the head is also published")
    }
}

@Suite("E-mail messages")
struct MailMessageTests {
    static func message(to: String = "resident@example.kg", subject: String = "Демилге: сырсөз") -> MailMessage {
        MailMessage(from: "Demilge <noreply@demilge.kg>", to: to, subject: subject, body: "Саламатсызбы!\nШилтеме: https://demilge.kg/x",
                    messageID: "<1@demilge.kg>", language: "ky", date: Date(timeIntervalSince1970: 1_796_400_000))
    }

    @Test("headers in order, the subject as encoded words, the body in base64 with CRLF lines")
    func rendered() throws {
        let text = try Self.message().rendered()
        let parts = text.components(separatedBy: "\r\n\r\n")
        #expect(parts.count == 2)
        let headers = parts[0].components(separatedBy: "\r\n")
        #expect(headers.contains("To: resident@example.kg") && headers.contains("Content-Language: ky") && headers.contains("Message-ID: <1@demilge.kg>"))
        #expect(headers.contains("Date: Fri, 04 Dec 2026 16:00:00 +0000"))
        let subject = try #require(headers.first { $0.hasPrefix("Subject: ") })
        #expect(subject == "Subject: =?UTF-8?B?\(Data("Демилге: сырсөз".utf8).base64EncodedString())?=")
        let body = Data(base64Encoded: parts[1].replacingOccurrences(of: "\r\n", with: "")).map { String(decoding: $0, as: UTF8.self) }
        #expect(body == "Саламатсызбы!\r\nШилтеме: https://demilge.kg/x")
    }

    @Test("a line break or control character in an address or id is refused, never written as a header of its own")
    func headerInjection() {
        #expect(throws: MailMessage.Problem.unsafeHeader("To")) { try Self.message(to: "a@example.kg\r\nBcc: everyone@example.kg").rendered() }
        #expect(throws: MailMessage.Problem.unsafeHeader("To")) { try Self.message(to: "a@example.kg\nBcc: x@example.kg").rendered() }
        #expect(throws: MailMessage.Problem.unsafeHeader("To")) { try Self.message(to: "айгүл@example.kg").rendered() }
    }

    @Test("a long subject is split into encoded words between characters, and a line break in it is dropped")
    func longSubject() throws {
        let subject = String(repeating: "Өзгөртүү ", count: 20) + "\r\nBcc: x@example.kg"
        let text = try Self.message(subject: subject).rendered()
        let header = text.components(separatedBy: "\r\n\r\n")[0]
        #expect(!header.contains("\r\nBcc:"))
        let words = header.components(separatedBy: "\r\n").filter { $0.hasPrefix("Subject: ") || $0.hasPrefix(" =?UTF-8?B?") }
        #expect(words.count > 1 && words.allSatisfy { $0.count <= 78 })
        let decoded = words.map { $0.replacingOccurrences(of: "Subject: ", with: "").trimmingCharacters(in: .whitespaces) }
            .map { String(decoding: Data(base64Encoded: String($0.dropFirst(10).dropLast(2))) ?? Data(), as: UTF8.self) }.joined()
        #expect(decoded == subject.replacingOccurrences(of: "\r\n", with: ""))
    }

    @Test("retries wait 1, 2, 4 … minutes, at most six hours")
    func backoff() {
        #expect(DeliveryBackoff.delay(afterAttempt: 1) == 60)
        #expect(DeliveryBackoff.delay(afterAttempt: 2) == 120)
        #expect(DeliveryBackoff.delay(afterAttempt: 4) == 480)
        #expect(DeliveryBackoff.delay(afterAttempt: 20) == 6 * 3600)
        #expect(DeliveryBackoff.delay(afterAttempt: Int.max) == 6 * 3600)
    }
}
