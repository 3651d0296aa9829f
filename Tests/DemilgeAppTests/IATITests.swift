@testable import DemilgeApp
import DemilgeCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("IATI activity files")
struct IATITests {
    static let schema = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/iati/iati-activities-schema.xsd")

    /// Runs Debian's xmllint against the official IATI 2.03 schema (scripts/install-test-deps installs it).
    static func validate(_ xml: String) async throws -> (valid: Bool, output: String) { try await xmllint(xml, schema: schema) }

    /// xmllint on a document: well-formed, and valid against `schema` when one is given.
    /// The child is awaited through its termination handler: `waitUntilExit` would spin a run loop on one of the
    /// threads the concurrent tests share.
    static func xmllint(_ xml: String, schema: URL?) async throws -> (valid: Bool, output: String) {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("iati-\(UUID().uuidString).xml")
        let log = file.appendingPathExtension("log")
        try xml.write(to: file, atomically: true, encoding: .utf8)
        FileManager.default.createFile(atPath: log.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: file)
            try? FileManager.default.removeItem(at: log)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/xmllint")
        process.arguments = ["--noout"] + (schema.map { ["--schema", $0.path] } ?? []) + [file.path]
        let output = try FileHandle(forWritingTo: log)
        process.standardOutput = output
        process.standardError = output
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        try? output.close()
        return (status == 0, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }

    @Test("every programme and awarded grant, as one file valid against the IATI 2.03 schema, with the grant's money as transactions")
    func activities() async throws {
        try await withDemilge { app in
            #expect(FileManager.default.fileExists(atPath: Self.schema.path), "../shared/iati beside the checkout")
            let xml = try await Browser(app).get("/iati/activities.xml").body.string
            let result = try await Self.validate(xml)
            #expect(result.valid, "\(result.output.suffix(2000))")
            let awarded = try await GrantApplication.query(on: app.db).filter(\.$status ~~ GrantDisplay.awarded).count()
            let programmes = try await Programme.query(on: app.db).count()
            #expect(xml.components(separatedBy: "<iati-activity ").count - 1 == programmes + awarded)

            let manasAta = try await GrantsTests.application(app, titled: GrantsDemo.manasAtaTitle)
            let identifier = "KG-DEMILGE-araket-\(manasAta.id!.uuidString.lowercased())"
            let start = try #require(xml.range(of: "<iati-identifier>\(identifier)</iati-identifier>"))
            let activity = String(xml[start.lowerBound...].prefix(while: { _ in true }).split(separator: "</iati-activity>")[0])
            for fact in [#"<transaction-type code="2"/><transaction-date iso-date="2022-07-01"/><value currency="KGS" value-date="2022-07-01">1450000.00</value>"#,
                         #"<transaction-type code="3"/><transaction-date iso-date="2022-07-05"/><value currency="KGS" value-date="2022-07-05">870000.00</value>"#,
                         #"<transaction-type code="3"/><transaction-date iso-date="2022-09-12"/><value currency="KGS" value-date="2022-09-12">580000.00</value>"#,
                         #"<transaction-type code="4"/><transaction-date iso-date="2022-11-30"/><value currency="KGS" value-date="2022-11-30">1448500.00</value>"#,
                         #"<related-activity ref="KG-DEMILGE-araket" type="1"/>"#, #"<activity-status code="4"/>"#, #"<sector vocabulary="1" code="15112""#] {
                #expect(activity.contains(fact), "the grant's activity has \(fact)")
            }
            #expect(xml.contains(#"<related-activity ref="\#(identifier)" type="2"/>"#), "the programme lists the grant as its child")
        }
    }

    @Test("one grant's file validates; unawarded grants have none; a broken file is caught by the same check")
    func single() async throws {
        try await withDemilge { app in
            let manasAta = try await GrantsTests.application(app, titled: GrantsDemo.manasAtaTitle)
            let one = try await Browser(app).get("/applications/\(manasAta.id!.uuidString.lowercased())/iati.xml")
            #expect(one.headers.contentType?.subType == "xml")
            #expect(try await Self.validate(one.body.string).valid)
            let reserve = try #require(try await GrantApplication.query(on: app.db).filter(\.$status == .reserve).first())
            #expect(try await Browser(app).get("/applications/\(reserve.id!.uuidString.lowercased())/iati.xml").status == .notFound)
            #expect(try await Browser(app).get("/programmes/yntymaktuu-jashoo/iati.xml").body.string.contains("<iati-activities version=\"2.03\""))
            let broken = one.body.string.replacingOccurrences(of: #"<activity-status code="4"/>"#, with: "")
                .replacingOccurrences(of: "<activity-date", with: "<activity-dat")
            #expect(!(try await Self.validate(broken).valid), "the validator really checks")
        }
    }
}
