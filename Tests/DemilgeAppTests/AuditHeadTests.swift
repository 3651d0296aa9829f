@testable import DemilgeApp
import DemilgeCore
import Fluent
import SQLKit
import Testing
import Vapor

@Suite("Audit log: keyed entries and a head kept apart")
struct AuditHeadTests {
    static func record(_ app: Application, _ n: Int) async throws {
        try await app.write(counted: false) { db in
            try await AuditLog.record(on: db, by: .system("test"), action: "test.entry", entityType: "test", entityID: "e\(n)")
        }
    }

    @Test("every entry is keyed and moves the head; deleting the last entries breaks verify, and the next entry cannot hide it")
    func truncation() async throws {
        try await withDemilge { app in
            for n in 1...3 { try await Self.record(app, n) }
            let intact = try await AuditLog.verify(on: app.db)
            #expect(intact.breach == nil)
            let entries = try await AuditEntry.query(on: app.db).sort(\.$id, .descending).limit(3).all()
            #expect(entries.allSatisfy { $0.keyed })
            let head = try #require(try await AuditHeadStore.read(on: app.db))
            #expect(head.sequence == Int64(intact.count) && head.hash == entries.first?.hash)

            let sql = try #require(app.db as? any SQLDatabase)
            try await sql.raw("DELETE FROM audit_entries WHERE sequence > \(bind: head.sequence - 2)").run()
            #expect(try await AuditLog.verify(on: app.db).breach == .truncated(head: head.sequence, last: head.sequence - 2))

            try await Self.record(app, 4)
            let after = try await AuditLog.verify(on: app.db)
            #expect(after.breach == .sequenceGap(after: head.sequence - 2, found: head.sequence + 1), "the next entry follows the head, not the cut")
        }
    }

    @Test("a deleted head is reported, and writes go on")
    func missingHead() async throws {
        try await withDemilge { app in
            let sql = try #require(app.db as? any SQLDatabase)
            try await sql.raw("DELETE FROM audit_head").run()
            let count = try await AuditEntry.query(on: app.db).count()
            #expect(try await AuditLog.verify(on: app.db).breach == .headMissing(last: Int64(count)))
            try await Self.record(app, 1)
            #expect(try await AuditLog.verify(on: app.db).breach == nil, "the head is written again with the next entry")
        }
    }

    @Test("an entry rewritten by someone with database access but not the key is caught")
    func rewrittenWithoutKey() async throws {
        try await withDemilge { app in
            try await Self.record(app, 1)
            let entry = try #require(try await AuditEntry.query(on: app.db).sort(\.$id, .descending).first())
            entry.actor = "user:mallory"
            entry.keyed = false
            entry.hash = AuditChain.hash(entry.chained.record, previousHash: entry.previousHash)
            try await entry.save(on: app.db)
            let breach = try await AuditLog.verify(on: app.db).breach
            let sequence = try entry.requireID()
            #expect(breach == .unkeyedEntry(sequence: sequence))
        }
    }

    @Test("the head is published at /transparency and /transparency.json, current after each change")
    func published() async throws {
        try await withDemilge { app in
            let visitor = Browser(app)
            let head = try #require(try await AuditHeadStore.read(on: app.db))
            let page = try await visitor.get("/transparency")
            #expect(page.status == .ok && page.body.string.contains(head.hash) && page.body.string.contains(head.mac))
            try await Self.record(app, 1)
            let json = try await visitor.get("/transparency.json")
            let published = try json.content.decode(AuditHeadController.Head.self)
            let moved = try #require(try await AuditHeadStore.read(on: app.db))
            #expect(published.sequence == head.sequence + 1 && published.hash == moved.hash && published.mac == moved.mac)
            // Written past the application's own write path (as a `demilge` command or another instance would), the
            // entry reaches kept pages through the watcher of the audit head, within a few of its ticks.
            var shown = false
            for _ in 0..<40 where !shown {
                shown = try await visitor.get("/transparency").body.string.contains(moved.hash)
                if !shown { try await Task.sleep(for: .milliseconds(250)) }
            }
            #expect(shown, "still an old kept page 10 s after the entry")
        }
    }
}
