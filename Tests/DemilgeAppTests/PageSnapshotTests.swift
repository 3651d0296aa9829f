@testable import DemilgeApp
import DemilgeCore
import Fluent
import Foundation
import SnapshotTesting
import Testing
import Vapor
import VaporTesting

/// The main public pages of a small fixture, rendered to HTML in each language and compared line by line with the
/// recorded pages in `__Snapshots__/PageSnapshotTests/`. A change to a template, a catalog string or a page model
/// shows here as a diff; when it is intended, record again with `SNAPSHOT_TESTING_RECORD=failed` and read the diff
/// before committing it.
@Suite("Rendered pages")
struct PageSnapshotTests {
    static let pages: [(name: String, path: String)] = [
        ("grant", SitePath.application(SmallFixture.id(6)).path),
        ("call", SitePath.call(SmallFixture.id(5)).path),
        ("territory", SitePath.territory("KG-T-ak").path),
        ("programme", SitePath.programme("synoo").path),
    ]

    /// What differs between two renderings of the same page: the CSRF token of the session; and what changes with
    /// every edit of a style sheet or script: its version in the link.
    static func stable(_ html: String) -> String {
        html.replacingOccurrences(of: #"name="_csrf" value="[^"]*""#, with: #"name="_csrf" value="…""#, options: .regularExpression)
            .replacingOccurrences(of: #"\?v=[0-9a-f]{16}""#, with: #"?v=…""#, options: .regularExpression)
    }

    @Test("the grant, call, territory and programme pages, as a visitor reads them in ky, ru and en", arguments: Language.allCases)
    func publicPages(_ language: Language) async throws {
        try await withFreshDatabase(prepared: false) { app in
            try await app.autoMigrate()
            _ = try await SmallFixture.make(on: app.db, status: .approved)
            let visitor = Browser(app)
            visitor.acceptLanguage = language.rawValue
            for page in Self.pages {
                let response = try await visitor.get(page.path)
                #expect(response.status == .ok, "\(page.path)")
                assertSnapshot(of: Self.stable(response.body.string), as: .lines, named: "\(page.name)-\(language.rawValue)")
            }
        }
    }

    /// Pages of the community fixture whose content has no "now" in it: the home page (no activity recorded), a
    /// round's results, the indicators, a needs-assessment session and a commission.
    static func communityPages(_ f: CommunityFixture) -> [(name: String, path: String)] {
        [("home", "/"), ("results", SitePath.round(f.round).path + "/results"), ("indicators", "/indicators"),
         ("session", SitePath.assessment(f.session).path), ("commission", SitePath.commission(f.commission).path)]
    }

    @Test("the home page, a round's results, the indicators, a session and a commission, in ky, ru and en", arguments: Language.allCases)
    func communityPages(_ language: Language) async throws {
        try await withFreshDatabase(prepared: false) { app in
            try await app.autoMigrate()
            let fixture = try await CommunityFixture.make(app)
            let visitor = Browser(app)
            visitor.acceptLanguage = language.rawValue
            for page in Self.communityPages(fixture) {
                let response = try await visitor.get(page.path)
                #expect(response.status == .ok, "\(page.path)")
                assertSnapshot(of: Self.stable(response.body.string), as: .lines, named: "\(page.name)-\(language.rawValue)")
            }
        }
    }
}
