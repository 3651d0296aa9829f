@testable import DemilgeApp
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("Site paths")
struct SitePathTests {
    static let id = UUID(uuidString: "3F2504E0-4F89-11D3-9A0C-0305E82C3301")
    static let all: [SitePath] = [
        .problem(id), .problemComments(id), .territory("KG-C"), .organisation("araket"), .programme("ynty"), .assessment(id),
        .ranking(session: id, group: id), .commission(id), .commissionPlan(id), .group(id), .round(id), .call(id), .application(id),
        .applicationVisits(id), .event(id), .practice(id), .roundPaper(id), .callReview(id), .callEdit(id), .callApply(id), .adminUser(id),
        .outboxMessage(id),
    ]

    @Test("every site path is a page the server routes (GET), with ids in lower case")
    func everyPathIsRouted() async throws {
        try await withDemilge { app in
            let routes = app.routes.all.filter { $0.method == .GET }.map { $0.path.map(\.description) }
            for page in Self.all {
                let path = page.path.split(separator: "#").first.map(String.init) ?? page.path
                #expect(path == path.lowercased() || path.contains("KG-C"), "\(path)")
                let parts = path.split(separator: "/").map(String.init)
                let routed = routes.contains { route in
                    route.count == parts.count && zip(route, parts).allSatisfy { $0.hasPrefix(":") || $0 == $1 }
                }
                #expect(routed, "no GET route for \(path)")
            }
        }
    }

    @Test("a template names a page by kind and value; the address comes from the same case as in Swift")
    func namedPaths() {
        let text = Self.id?.uuidString ?? ""
        let expected: [String: SitePath] = [
            "territory": .territory("KG-C"), "organisation": .organisation("KG-C"), "programme": .programme("KG-C"), "problem": .problem(Self.id),
            "assessment": .assessment(Self.id), "commission": .commission(Self.id), "group": .group(Self.id), "round": .round(Self.id),
            "call": .call(Self.id), "application": .application(Self.id), "event": .event(Self.id), "practice": .practice(Self.id),
            "adminUser": .adminUser(Self.id), "outboxMessage": .outboxMessage(Self.id),
        ]
        #expect(Set(expected.keys) == Set(SitePath.Kind.allCases.map(\.rawValue)))
        for (kind, page) in expected {
            let value = ["territory", "organisation", "programme"].contains(kind) ? "KG-C" : text
            #expect(SitePath.named(kind, value) == page, "\(kind)")
        }
        #expect(SitePath.named("problem", "not-an-id") == nil && SitePath.named("nowhere", text) == nil)
    }

    /// Templates whose links name the page by `#path(…)`, never by spelling its route around a value.
    static func templates() throws -> [(name: String, text: String)] {
        let views = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Resources/Views").standardized
        let walker = FileManager.default.enumerator(at: views, includingPropertiesForKeys: nil)
        return try (walker?.allObjects as? [URL] ?? []).filter { $0.pathExtension == "leaf" }.map { ($0.lastPathComponent, try String(contentsOf: $0, encoding: .utf8)) }
    }

    @Test("no template spells a page's route around a value, and every #path names a kind SitePath knows")
    func templatesUseSitePath() throws {
        let templates = try Self.templates()
        #expect(templates.count > 30)
        let routes = "territories|organisations|programmes|problems|rounds|grants|applications|practices|groups|assessments|events|commissions|admin/users"
        let spelled = try Regex(#"(href|action|src)="/("# + routes + #")/#\("#)
        let named = try Regex(#"#path\("([A-Za-z]+)""#)
        var found: [String] = []
        var kinds: Set<String> = []
        for template in templates {
            if template.text.contains(spelled) { found.append(template.name) }
            for match in template.text.matches(of: named) { if let kind = match.output[1].substring { kinds.insert(String(kind)) } }
        }
        #expect(found.isEmpty, "routes spelled in \(found)")
        #expect(!kinds.isEmpty && kinds.isSubset(of: Set(SitePath.Kind.allCases.map(\.rawValue))), "\(kinds.subtracting(SitePath.Kind.allCases.map(\.rawValue)))")
    }
}
