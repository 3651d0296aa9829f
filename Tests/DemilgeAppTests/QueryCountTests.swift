@testable import DemilgeApp
import DemilgeCore
import Fluent
import Logging
import NIOConcurrencyHelpers
import Testing
import Vapor

/// The queries one page runs do not grow with the data: each page is built on the small community fixture and on a
/// generated country (a thousandth of the national figures, on top of the demo data), and the SQL statements the
/// database drivers log for the request are counted. Pages are built once first, so the territory directory is
/// cached as it is on a running instance; figures kept in caches are counted where they are computed.
@Suite("Queries per page")
struct QueryCountTests {
    /// Counts the SQL statements logged through one request's logger (the drivers log each at debug level).
    final class Counter: @unchecked Sendable {
        private let count = NIOLockedValueBox(0)
        var value: Int { count.withLockedValue { $0 } }
        func hit() { count.withLockedValue { $0 += 1 } }
    }

    struct CountingHandler: LogHandler {
        let counter: Counter
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        static let statements = ["SELECT", "INSERT", "UPDATE", "DELETE", "WITH"]

        func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
            // SQLKit logs "Executing query" with the statement as metadata; PostgresNIO logs the statement itself.
            let text = message.description.drop(while: { $0 == " " || $0 == "\n" }).prefix(6).uppercased()
            if metadata?["sql"] != nil || Self.statements.contains(where: text.hasPrefix) { counter.hit() }
        }
    }

    static func counted(_ app: Application, _ query: String = "", _ build: (Request) async throws -> Void) async throws -> Int {
        let counter = Counter()
        let logger = Logger(label: "query-count") { _ in CountingHandler(counter: counter) }
        let req = Request(application: app, url: URI(string: "/" + (query.isEmpty ? "" : "?" + query)), logger: logger, on: app.eventLoopGroup.any())
        req.language = .ky
        try await build(req)
        return counter.value
    }

    /// Query counts per page, after one warm-up build of each.
    static func counts(_ app: Application, oblast: String) async throws -> [String: Int] {
        let directory = try await PublicPageModelTests.visitor(app).territoryDirectory()
        let territory = try #require(directory.byCode[oblast])
        let problem = try #require(try await Problem.query(on: app.db).filter(\.$hidden == false).sort(\.$supportCount, .descending).with(\.$territory).first())
        let round = try #require(try await BudgetRound.query(on: app.db).filter(\.$status == .published).with(\.$territory).first())
        let stored = try #require(try await RoundResultStore.load(try round.requireID(), on: app.db))
        let subtree = Array(directory.subtree(of: territory))
        let pages: [(String, String, (Request) async throws -> Void)] = [
            ("home", "", { _ = try await HomePage.build($0) }),
            ("problems list", "", { _ = try await ProblemListPage.build($0, filters: try await ProblemFilters($0)) }),
            ("problems, filtered", "territory=\(oblast)&category=water", { _ = try await ProblemListPage.build($0, filters: try await ProblemFilters($0)) }),
            ("problems, page 3", "page=3", { _ = try await ProblemListPage.build($0, filters: try await ProblemFilters($0)) }),
            ("a problem", "", { _ = try await ProblemPage.build($0, problem, form: FormState()) }),
            ("territory", "", { _ = try await TerritoryPage.build($0, territory, directory: directory) }),
            ("territory's sums", "", { _ = try await TerritoryPortal.Figures.load(Set(subtree), $0) }),
            ("indicators over a period", "from=2022-01&to=2024-12", { req in
                let filter = try await IndicatorFilter.read(req)
                _ = try await IndicatorsPage.build(req, filter, try await IndicatorFigures.load(filter, req))
            }),
            ("round results", "", { _ = try await ResultsPage.build($0, round, stored) }),
        ]
        var counts: [String: Int] = [:]
        for (name, query, build) in pages {
            _ = try await counted(app, query, build)
            counts[name] = try await counted(app, query, build)
        }
        return counts
    }

    @Test("each page runs as many queries on a generated country as on a village's worth of data, and few")
    func constant() async throws {
        var small: [String: Int] = [:], large: [String: Int] = [:]
        try await PublicPageModelTests.withCommunity { app, _ in small = try await Self.counts(app, oblast: "KG-T") }
        try await ScalePageTests.withCountry { app in large = try await Self.counts(app, oblast: "KG-C") }
        #expect(Set(small.keys) == Set(large.keys))
        for (page, count) in large.sorted(by: { $0.key < $1.key }) {
            let fewer = small[page] ?? 0
            // A kind of record absent from the small fixture skips its query (the home page's activity reads one
            // kind of subject per query): a few more at most, never one per row.
            #expect(count <= fewer + 5, "\(page): \(count) queries on the country, \(fewer) on the small fixture")
            #expect(count <= 30, "\(page): \(count) queries")
            #expect(fewer > 0, "\(page) was counted")
        }
    }
}
