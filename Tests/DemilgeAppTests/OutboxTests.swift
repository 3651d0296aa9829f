@testable import DemilgeApp
import DemilgeCore
import Fluent
import Foundation
import Testing
import Vapor

/// E-mail leaves through a real program on sendmail's interface: `Tests/mail/sendmail-to-folder` writes each message
/// it is given to a folder, where the tests read it back as a mail client would.
enum MailFolder {
    static let standIn = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("mail/sendmail-to-folder").path

    /// A fresh folder, and the app set to deliver into it.
    static func attach(_ app: Application, command: [String]? = nil, lease: TimeInterval = 120) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("demilge-mail-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        app.mailSettings = MailSettings(from: "Demilge <noreply@demilge.test>", host: "demilge.test",
                                        sendmail: Sendmail(command: command ?? [standIn, folder.path, "-t", "-i"]), lease: lease)
        return folder
    }

    struct Delivered {
        let headers: [String: String]
        let body: String
    }

    static func read(_ folder: URL) throws -> [Delivered] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".eml") }.sorted().map { name in
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            let parts = text.components(separatedBy: "\r\n\r\n")
            var headers: [String: String] = [:]
            var last: String? = nil
            for line in parts[0].components(separatedBy: "\r\n") {
                if line.hasPrefix(" "), let key = last { headers[key, default: ""] += "\n" + line.dropFirst(); continue }
                guard let colon = line.firstIndex(of: ":") else { continue }
                let key = String(line[..<colon]).lowercased()
                headers[key] = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
                last = key
            }
            let encoded = parts.dropFirst().joined(separator: "\r\n\r\n").replacingOccurrences(of: "\r\n", with: "")
            let body = Data(base64Encoded: encoded).map { String(decoding: $0, as: UTF8.self) } ?? ""
            return Delivered(headers: headers, body: body)
        }
    }

    /// The subject, decoded from its encoded words.
    static func subject(_ message: Delivered) -> String {
        (message.headers["subject"] ?? "").split(separator: "\n").map { word -> String in
            let trimmed = word.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("=?UTF-8?B?"), trimmed.hasSuffix("?=") else { return trimmed }
            let base64 = trimmed.dropFirst(10).dropLast(2)
            return Data(base64Encoded: String(base64)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        }.joined()
    }
}

@Suite("E-mail outbox")
struct OutboxTests {
    static func queue(_ app: Application, _ count: Int, fail: Bool = false) async throws {
        try await app.write(counted: false) { db in
            for n in 0..<count {
                try await Outbox.enqueue("mail.password_changed", to: "resident\(n)@example.kg", language: .ru,
                                         arguments: ["name": "Житель \(n)", "link": "https://demilge.test/password/forgot"], on: db, app: app)
            }
        }
    }

    @Test("a message is queued in the transaction of its event: a write that fails queues nothing")
    func transactional() async throws {
        try await withDemilge { app in
            struct Refused: Error {}
            await #expect(throws: Refused.self) {
                try await app.write(counted: false) { db in
                    try await Outbox.enqueue("mail.password_changed", to: "a@example.kg", language: .ky, arguments: [:], on: db, app: app)
                    throw Refused()
                }
            }
            #expect(try await OutboxMessage.query(on: app.db).count() == 0)
            try await Self.queue(app, 1)
            #expect(try await Outbox.depth(on: app.db) == Outbox.Depth(queued: 1, dead: 0))
        }
    }

    @Test("sendmail gets each message once, in the recipient's language, with its headers; the outbox marks it sent")
    func delivered() async throws {
        try await withDemilge { app in
            let folder = try MailFolder.attach(app)
            try await Self.queue(app, 3)
            #expect(try await Outbox.deliverDue(app) == 3)
            #expect(try await Outbox.deliverDue(app) == 0, "nothing is sent twice")
            let messages = try MailFolder.read(folder)
            #expect(messages.count == 3)
            #expect(Set(messages.compactMap { $0.headers["to"] }) == ["resident0@example.kg", "resident1@example.kg", "resident2@example.kg"])
            for message in messages {
                #expect(MailFolder.subject(message) == "Демилге: пароль изменён")
                #expect(message.headers["content-language"] == "ru")
                #expect(message.headers["from"] == "Demilge <noreply@demilge.test>")
                #expect(message.headers["content-type"] == "text/plain; charset=UTF-8")
                #expect(message.headers["message-id"]?.hasSuffix("@demilge.test>") == true)
                #expect(message.body.contains("Пароль вашей учётной записи в Демилге только что изменён"))
                #expect(message.body.contains("https://demilge.test/password/forgot"))
            }
            let stored = try await OutboxMessage.query(on: app.db).all()
            #expect(stored.allSatisfy { $0.status == "sent" && $0.attempts == 1 && $0.sentMillis != nil && $0.body.isEmpty },
                    "a sent message keeps its subject and recipient, not its body")
            #expect(Set(messages.compactMap { $0.headers["message-id"] }) == Set(stored.map(\.messageID)))
            #expect(try await Outbox.depth(on: app.db) == Outbox.Depth(queued: 0, dead: 0))
        }
    }

    @Test("a refused message is tried again later, dies after the last attempt, and an administrator can send it again")
    func retriesAndDeadLetters() async throws {
        try await withDemilge { app in
            _ = try MailFolder.attach(app, command: ["/bin/sh", "-c", "cat >/dev/null; echo 'relay refused' >&2; exit 75"])
            try await Self.queue(app, 1)
            let start = Date()
            #expect(try await Outbox.deliverDue(app, now: { start }) == 0)
            var message = try #require(try await OutboxMessage.query(on: app.db).first())
            #expect(message.status == "queued" && message.attempts == 1)
            #expect(message.lastError?.contains("exited with 75: relay refused") == true)
            #expect(message.dueMillis == start.addingTimeInterval(60).millis, "the first retry waits a minute")
            #expect(try await Outbox.deliverDue(app, now: { start.addingTimeInterval(59) }) == 0)
            #expect(try await OutboxMessage.query(on: app.db).first()?.attempts == 1, "not tried before it is due")

            var clock = start
            for _ in 2...DeliveryBackoff.maxAttempts {
                clock = clock.addingTimeInterval(6 * 3600 + 1)
                let now = clock
                _ = try await Outbox.deliverDue(app, now: { now })
            }
            message = try #require(try await OutboxMessage.query(on: app.db).first())
            #expect(message.status == "dead" && message.attempts == DeliveryBackoff.maxAttempts)
            #expect(try await Outbox.depth(on: app.db) == Outbox.Depth(queued: 0, dead: 1))
            let later = clock.addingTimeInterval(7 * 3600)
            #expect(try await Outbox.deliverDue(app, now: { later }) == 0, "a dead message is not retried by itself")

            let folder = try MailFolder.attach(app)
            #expect(try await Outbox.retry(try message.requireID(), on: app.db))
            #expect(try await OutboxMessage.find(message.id, on: app.db)?.body.isEmpty == false, "a notice keeps its body while dead")
            #expect(try await Outbox.deliverDue(app) == 1)
            #expect(try MailFolder.read(folder).count == 1)
        }
    }

    @Test("workers delivering at once send each message once; a claim that ran out (its worker died) is sent again with the same Message-ID")
    func concurrentWorkersAndLeases() async throws {
        try await withDemilge { app in
            let folder = try MailFolder.attach(app)
            try await Self.queue(app, 12)
            async let first = Outbox.deliverDue(app)
            async let second = Outbox.deliverDue(app)
            async let third = Outbox.deliverDue(app)
            let sent = try await first + second + third
            #expect(sent == 12)
            #expect(try MailFolder.read(folder).count == 12)

            // A worker claimed a message and died before marking it sent: after the lease, another sends it.
            try await Self.queue(app, 1)
            let message = try #require(try await OutboxMessage.query(on: app.db).filter(\.$status == "queued").first())
            message.claimedUntilMillis = Date().addingTimeInterval(120).millis
            try await message.save(on: app.db)
            #expect(try await Outbox.deliverDue(app) == 0, "claimed by a worker that may still send it")
            let afterLease = Date().addingTimeInterval(121)
            #expect(try await Outbox.deliverDue(app, now: { afterLease }) == 1)
            let delivered = try MailFolder.read(folder)
            #expect(delivered.count == 13)
            #expect(delivered.contains { $0.headers["message-id"] == message.messageID })

            // The first worker, its claim long gone, comes back with a failure: the message stays sent.
            let stale = message
            stale.claimedUntilMillis = Date().addingTimeInterval(120).millis
            try await Outbox.finish(stale, error: "timed out", app: app, now: Date())
            let after = try #require(try await OutboxMessage.find(message.id, on: app.db))
            #expect(after.status == "sent" && after.lastError == nil, "a worker that lost its claim changes nothing")
        }
    }

    @Test("administrators see what did not leave and why, never a body, and send a dead message again; nobody else may")
    func administratorsSeeDeadLetters() async throws {
        try await withDemilge { app in
            try await Self.queue(app, 1)
            let message = try #require(try await OutboxMessage.query(on: app.db).first())
            message.status = "dead"
            message.attempts = DeliveryBackoff.maxAttempts
            message.lastError = "/usr/sbin/sendmail exited with 75: relay refused"
            try await message.save(on: app.db)
            let id = try message.requireID().uuidString.lowercased()

            let resident = try await Browser(app).signIn("resident.manas-ata@demilge.kg")
            #expect(try await resident.get("/admin/outbox").status == .forbidden)
            #expect(try await resident.post("/admin/outbox/\(id)/retry", []).status == .forbidden)

            let admin = try await Browser(app).signIn("admin@demilge.kg")
            let page = try await admin.get("/admin/outbox")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("resident0@example.kg") && page.body.string.contains("exited with 75: relay refused"))
            #expect(!page.body.string.contains("только что изменён"), "the body is not shown")
            #expect(try await admin.get("/admin").body.string.contains("<strong>1</strong> жөнөтүлбөй токтотулган кат"))
            let retried = try await admin.post("/admin/outbox/\(id)/retry", [])
            #expect(retried.status == .seeOther)
            let after = try #require(try await OutboxMessage.find(message.id, on: app.db))
            #expect(after.status == "queued" && after.attempts == 0)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "outbox.retry").count() == 1)
            #expect(try await admin.get("/admin/outbox").body.string.contains("Кат кайра кезекке коюлду."))
        }
    }

    @Test("a message sendmail could misread dies at once; a dead reset link is emptied and cannot be sent again")
    func secretsAndUnsendable() async throws {
        try await withDemilge { app in
            let folder = try MailFolder.attach(app)
            try await app.write(counted: false) { db in
                try await Outbox.enqueue("mail.password_reset", to: "a@example.kg,root", language: .ky,
                                         arguments: ["name": "А", "link": "https://demilge.test/password/reset/SECRET", "minutes": "60"], on: db, app: app)
            }
            #expect(try await Outbox.deliverDue(app) == 0)
            let message = try #require(try await OutboxMessage.query(on: app.db).first())
            #expect(message.status == "dead" && message.attempts == 1 && message.lastError?.contains("unsafeHeader") == true)
            #expect(message.body.isEmpty, "the link is not kept")
            #expect(try await !Outbox.retry(try message.requireID(), on: app.db))
            #expect(try MailFolder.read(folder).isEmpty)
            #expect(EmailAddress.normalised("a@example.kg,root") == nil && EmailAddress.normalised("айгүл@example.kg") == nil)
            #expect(EmailAddress.normalised(" Aigul@Example.KG ") == "aigul@example.kg")
        }
    }
}
