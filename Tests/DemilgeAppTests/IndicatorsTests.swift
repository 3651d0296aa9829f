@testable import DemilgeApp
import DemilgeCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("Indicators")
struct IndicatorsTests {
    static func figures(_ browser: Browser, _ query: String = "") async throws -> [String: String] {
        let text = try await browser.get("/indicators.csv\(query)").body.string
        let rows = try CSV.parse(text).dropFirst()
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.fields[0], $0.fields[2]) })
    }

    @Test("figures follow the programme, territory and period filters; rates and leverage are exact")
    func filters() async throws {
        try await withDemilge { app in
            let visitor = Browser(app)
            visitor.acceptLanguage = "en"
            let awarded = try await GrantApplication.query(on: app.db).filter(\.$status ~~ GrantDisplay.awarded).count()
            let all = try await Self.figures(visitor)
            #expect(all["grants_awarded"] == String(awarded))
            #expect(all["completion_rate"] == "100.0%" && all["on_time_rate"] == "100.0%", "Манас-Ата finished on its agreement's last day")
            #expect(all["events"] == "4" && all["ballots_paper"] == "59" && all["ballots_online"] == "1")
            let araket = try await Self.figures(visitor, "?programme=araket")
            #expect(araket["grants_awarded"] == "2")
            // Planned: Манас-Ата's agreement (1 450 000 grant, 135 000 local, 180 000 community) and Алай 2's proposal (900 000, 120 000, 60 000).
            #expect(araket["planned_grant"] == "2,350,000 som" && araket["planned_local_budget"] == "255,000 som" && araket["planned_community"] == "240,000 som")
            #expect(araket["cofunding_leverage"] == "0.21", "495 000 / 2 350 000 = 0.2106…")
            #expect(try await Self.figures(visitor, "?programme=yntymaktuu-jashoo")["grants_awarded"] == "25")
            let chuy = try await Self.figures(visitor, "?territory=KG-C")
            #expect(chuy["grants_awarded"] == String(try await GrantApplication.query(on: app.db).filter(\.$status == .approved).with(\.$territory).all()
                .filter { $0.territory.code.hasPrefix("KG-C") }.count))
            #expect(try await Self.figures(visitor, "?programme=araket&from=2023-01-01")["grants_awarded"] == "0", "awarded in 2022")
            let osh = try await Self.figures(visitor, "?territory=KG-GO")
            #expect(Int(osh["assessment_participants"] ?? "0") ?? 0 > 0 && osh["assessment_sessions"] == "1")
        }
    }

    @Test("the page shows charts as SVG with the same numbers in tables")
    func charts() async throws {
        try await withDemilge { app in
            let visitor = Browser(app)
            let page = try await visitor.get("/indicators?territory=KG-GO").body.string
            #expect(page.contains(#"<img src="/indicators/participants.svg?territory=KG-GO""#) && page.contains("<table"))
            for chart in ["participants", "money"] {
                let svg = try await visitor.get("/indicators/\(chart).svg?territory=KG-GO")
                #expect(svg.headers.contentType?.subType == "svg+xml")
                #expect(try await FeedTests.wellFormed(svg.body.string) && svg.body.string.contains("<title"))
            }
            let money = try await visitor.get("/indicators.csv?programme=araket&table=money").body.string
            #expect(money.contains("grant,2350000.00,1450000.00,1448500.00"), "each table downloads as CSV")
            #expect(try await visitor.get("/indicators.csv?territory=KG-GO&table=participants").body.string.hasPrefix("sex,u18,18_29,30_59,60p,total"))
            #expect(page.contains("/indicators.csv?territory=KG-GO&amp;table=money") || page.contains("/indicators.csv?territory=KG-GO&table=money"))
            #expect(try await visitor.get("/indicators/money.svg?programme=araket").body.string.contains(Money.som(1_450_000).formatted(.ky)), "paid: both tranches")
        }
    }
}
