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
        .applicationVisits(id), .event(id), .practice(id),
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
}
