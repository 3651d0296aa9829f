@testable import DemilgeApp
import DemilgeCore
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting

/// Every route of the app's own route table (so a new route is covered without being listed), signed out and as
/// every demo role, receives hostile values in its parameters, query and form fields: huge, negative and zero
/// numbers, 10 kB strings, NUL, control and right-to-left characters, wrong types, repeated keys, arrays for
/// scalars, malformed ids and codes, bodies at and over the limits, wrong content types. Never a 5xx; a refused
/// request commits no write and changes no row; the process stays up; the audit chain still verifies; every place's
/// stored figures still equal its records'.
///
/// `DEMILGE_FUZZ_SEED` replays a run (the seed is printed first), `DEMILGE_FUZZ_REQUESTS` sets its length
/// (3 000 on SQLite, 1 000 on PostgreSQL; `scripts/bench-fuzz` runs 20 000), `DEMILGE_FUZZ_VERBOSE=1` prints every request before it is sent.
@Suite("Hostile input over every route")
struct HostileInputTests {
    static var requests: Int {
        Environment.get("DEMILGE_FUZZ_REQUESTS").flatMap { Int($0) } ?? (TestDatabase.selection.isPostgres ? 1_000 : 3_000)
    }

    static let hostile: [String] = [
        "", " ", "0", "-1", "-0", "1e309", "NaN", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
        "99999999999999999999999999999999", "0x7fffffff", "1,5", "1.000.000,00", "١٢٣", "３", "+7", "00000000000000000001",
        String(repeating: "A", count: 10_000), String(repeating: "ы", count: 5_000), "\u{0}", "a\u{0}b", "\u{1}\u{2}\u{1B}[31m", "\r\n\r\n",
        "\u{202E}txt.exe", "\u{200B}", "\u{FEFF}", "😀👩‍👩‍👧", "'; DROP TABLE users; --", "\" OR 1=1 --", "<script>alert(1)</script>",
        "{{7*7}}", "#(x)", "../../../../etc/passwd", "%00", "%2e%2e%2f", "//evil.example", "/\t/evil.example", "\\\\evil.example",
        "javascript:alert(1)", "00000000-0000-0000-0000-000000000000", "ZZZZZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZZZZZZZZZ", "[]", "{}", "null", "true",
        "2025-02-30", "9999-12-31", "0000-00-00", "2025-13-01", "1969-12-31", "-2025-01-01", "2025-1-1",
        "1 | 2 | 3", "a | grant | 1e20", "x | grant | 999999999999999", "1:1000000000000000000000", "1,1,1,1,1,1,1", ":", "|||",
    ]

    /// Plausible values per field, so that some requests get past the first check and reach the next one.
    static func plausible(_ field: String, _ fixtures: RouteFixtures, _ rng: inout SeedRandom) -> String {
        let roll = rng.next()
        func pick(_ values: [String]) -> String { values.isEmpty ? "" : values[Int(roll % UInt64(values.count))] }
        switch field {
        case "territory", "host", "parent", "oblast", "territories[]", "invited[]": return pick((fixtures.single["territories/:code"] ?? []) + ["KG-GO-manas-ata"])
        case "programme": return pick(fixtures.single["programmes/:slug"] ?? [])
        case "organisation", "organiser": return pick(fixtures.single["organisations/:slug"] ?? [])
        case "version": return pick(["1", "2", "3", "4"])
        case "email": return pick(DemoActors.emails.map(\.email) + ["new@example.kg"])
        case "password", "password_confirm": return "demilge-demo"
        case "amount", "budget", "envelope", "cost", "requested", "total", "min_grant", "max_grant", "local_budget", "community", "other",
             "grant_som", "local_budget_som", "community_som", "other_som":
            return pick(["100 000", "1 250,50", "600 000", "0", "1"])
        case "held_on", "opens_on", "closes_on", "deadline", "signed_on", "starts_on", "ends_on", "paid_on", "due_on", "visited_on", "from", "to":
            return pick([Day.today().description, "2025-03-15", "2030-01-01", "2025-02-30", "15.03.2025", "", "2025-+3-15"])
        case "status", "to": return pick(GrantStatus.allCases.map(\.rawValue) + RoundStatus.allCases.map(\.rawValue) + ProblemStatus.allCases.map(\.rawValue) + ["open", "review"])
        case "kind": return pick(EventKind.allCases.map(\.rawValue) + FocusGroupKind.allCases.map(\.rawValue) + ["contribution", "disbursement"])
        case "category", "theme": return pick(ProblemCategory.allCases.map(\.rawValue))
        case "role": return pick(Role.allCases.map(\.rawValue))
        case "rule": return pick(BudgetingRule.allCases.map(\.rawValue))
        case "ballot_type": return pick(BallotType.allCases.map(\.rawValue))
        case "source": return pick(FundingSource.allCases.map(\.rawValue))
        case "choice", "choice[]", "tranche", "rating", "present", "progress", "minimum_score", "cofunding", "min_choices", "max_choices", "points_total":
            return pick(["1", "2", "3", "5", "50"])
        case "problem", "problem[]", "into": return pick(fixtures.single["problems/:id"] ?? [])
        case "grant": return pick(fixtures.single["applications/:id"] ?? [])
        case "intent": return pick(["submit", "save"])
        case "entry": return pick(["first", "second"])
        case "hide": return pick(["1", "0"])
        case "ballots": return pick(["1, 2\n3", "1:5, 2:5", "1\n2\n3"])
        case "lines": return "Иш | grant | 100 000\nДокумент | local_budget | 20 000"
        case "activities": return "Иш | 2027-01 | 2027-03"
        case "criteria": return CallTermsForm.defaultCriteria
        case "tranches": return "\(Day.today()) | 100 000 | шарт"
        default: return pick(["Манас-Ата конушундагы суу маселеси", "ok", "1", "Ош шаары", "on"])
        }
    }

    /// Field names every form of the app uses, from its templates: a new form's fields are covered without listing them.
    static func formFields(_ fixtures: RouteFixtures) throws -> [String] {
        let views = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Resources/Views")
        let files = FileManager.default.enumerator(at: views, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
        let regex = try NSRegularExpression(pattern: #"name="([^"]+)""#)
        var names = Set<String>()
        let someIDs = Array((fixtures.single["applications/:id"] ?? []).prefix(2) + (fixtures.single["problems/:id"] ?? []).prefix(2))
        for file in files where file.pathExtension == "leaf" {
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                guard let range = Range(match.range(at: 1), in: text) else { continue }
                let name = String(text[range])
                if let hole = name.range(of: "#(") {
                    let prefix = String(name[..<hole.lowerBound])
                    for suffix in ["1", "2", "3", "5", "c1", "c3", "c5", "municipality", "cso"] + someIDs { names.insert(prefix + suffix) }
                } else {
                    names.insert(name)
                }
            }
        }
        names.remove("viewport")
        return names.sorted()
    }

    /// Query keys the app's handlers read, from its sources.
    static func queryKeys() throws -> [String] {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources")
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
        let regex = try NSRegularExpression(pattern: #"query\[(?:String\.self, at: )?"([a-z_]+)"\]"#)
        var keys = Set(["page", "per_page"])
        for file in files where file.pathExtension == "swift" {
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                if let range = Range(match.range(at: 1), in: text) { keys.insert(String(text[range])) }
            }
        }
        return keys.sorted()
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    /// Rows in every table a request could change (sessions and sign-in rate counters aside: counting attempts is their job).
    struct Rows: Equatable {
        let counts: [Int]

        static func tables(_ app: Application) async throws -> [String] {
            guard let sql = app.db as? any SQLDatabase else { return [] }
            struct Name: Decodable { let name: String }
            let query = TestDatabase.selection.isPostgres
                ? "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'"
                : "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            let names = try await sql.raw(SQLQueryString(query)).all(decoding: Name.self).map(\.name)
            // Bookkeeping, not data: sessions, limits, and the server's own key (made once per database on first need
            // when DEMILGE_SECRET is not set, e.g. by checking a forged unsubscribe link).
            return names.filter { !["_fluent_sessions", "_fluent_migrations", "rate_limit_buckets", "sign_in_throttle", "server_secrets"].contains($0) }.sorted()
        }

        static func take(_ app: Application, _ tables: [String]) async throws -> Rows {
            guard let sql = app.db as? any SQLDatabase, !tables.isEmpty else { return Rows(counts: []) }
            let columns = tables.enumerated().map { "(SELECT COUNT(*) FROM \"\($0.element)\") AS c\($0.offset)" }.joined(separator: ", ")
            guard let row = try await sql.raw(SQLQueryString("SELECT " + columns)).first() else { return Rows(counts: []) }
            return Rows(counts: try tables.indices.map { try row.decode(column: "c\($0)", as: Int.self) })
        }
    }

    struct Sent: CustomStringConvertible {
        let index: Int, actor: String, method: HTTPMethod, path: String, contentType: String, body: Int, status: HTTPResponseStatus
        var description: String {
            "#\(index) \(actor) \(method) \(path.prefix(160))\(path.count > 160 ? "…" : "") [\(contentType), \(body) bytes] → \(status.code)"
        }
    }

    @Test("never a 5xx, nothing changed by a refusal, the process up and the audit chain intact")
    func everyRoute() async throws {
        let seed = Environment.get("DEMILGE_FUZZ_SEED").flatMap { UInt64($0) } ?? UInt64.random(in: 1...UInt64.max)
        let total = Self.requests
        let verbose = Environment.get("DEMILGE_FUZZ_VERBOSE") == "1"
        print("hostile input: seed \(seed), \(total) requests (replay with DEMILGE_FUZZ_SEED=\(seed))")
        try await withDemilge { app in
            var rng = SeedRandom(seed: seed)
            let fixtures = try await RouteFixtures.load(app)
            let fields = try Self.formFields(fixtures)
            let queryKeys = try Self.queryKeys()
            let routes = app.routes.all.filter { $0.method == .GET || $0.method == .POST }
            #expect(routes.count > 150, "the route table was read: \(routes.count) routes")
            let tables = try await Rows.tables(app)
            var actors: [(role: String, browser: Browser)] = [("visitor", Browser(app))]
            for (role, email) in DemoActors.emails { actors.append((role, try await Browser(app).signIn(email))) }
            for actor in actors { try await actor.browser.get("/") }   // a CSRF token for every signed-in actor

            func pick<T>(_ list: [T]) -> T { list[Int(rng.next() % UInt64(list.count))] }
            func chance(_ percent: UInt64) -> Bool { rng.next() % 100 < percent }
            func value(_ field: String) -> String { chance(55) ? pick(Self.hostile) : Self.plausible(field, fixtures, &rng) }

            var failures: [String] = []
            var refused = 0, fiveHundreds = 0, byStatus: [UInt: Int] = [:]
            var covered = Set<String>()
            for index in 0..<total {
                let route = pick(routes)
                let (role, browser) = pick(actors)
                covered.insert("\(route.method) \(RouteFixtures.pattern(route))")
                // The path: real values mostly, hostile ones sometimes.
                var path = RouteFixtures.pattern(route)
                if let candidates = fixtures.candidates(route) {
                    let real = candidates.isEmpty ? nil : pick(candidates)
                    let values = RouteFixtures.parameters(route).enumerated().map { position, _ in
                        (real != nil && chance(80)) ? real?[position] ?? "x" : pick(Self.hostile)
                    }
                    path = RouteFixtures.path(route, values: values)
                }
                // The query: known keys with hostile or plausible values, repeated keys and arrays sometimes.
                var items: [String] = []
                for _ in 0..<Int(rng.next() % 4) {
                    let key = pick(queryKeys)
                    let name = chance(10) ? "\(key)[]" : (chance(5) ? "\(key)[x]" : key)
                    items.append("\(Self.encode(name))=\(Self.encode(value(key)))")
                    if chance(10) { items.append("\(Self.encode(key))=\(Self.encode(value(key)))") }
                }
                if !items.isEmpty { path += "?" + items.joined(separator: "&") }
                let before = try await Rows.take(app, tables)
                let writesBefore = app.committedWrites
                var contentType = "-"
                var bodySize = 0
                let response: TestingHTTPResponse
                if route.method == .GET {
                    if verbose { print("→ #\(index) \(role) GET \(path.prefix(300))") }
                    response = try await browser.get(path)
                } else {
                    var form: [(String, String)] = []
                    for _ in 0..<(1 + Int(rng.next() % 12)) {
                        let field = pick(fields)
                        let name = chance(8) ? "\(field)[]" : field
                        form.append((name, value(field)))
                    }
                    if chance(5), let big = form.indices.randomElement(using: &rng) {
                        // At and just over the form limit.
                        form[big].1 = String(repeating: "x", count: Int(BodyLimits.form.value) - 300 + Int(rng.next() % 600))
                    }
                    let withToken = chance(92)
                    if withToken, let token = browser.csrf { form.append(("_csrf", token)) } else if chance(50) { form.append(("_csrf", "forged")) }
                    let kind = rng.next() % 100
                    if verbose { print("→ #\(index) \(role) POST \(path.prefix(300)) \(form.map { "\($0.0)=\($0.1.prefix(40))" }.joined(separator: "&").prefix(400))") }
                    switch kind {
                    case 0..<62:
                        contentType = "form"
                        let body = form.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
                        bodySize = body.utf8.count
                        response = try await browser.postRaw(path, body: body, contentType: "application/x-www-form-urlencoded")
                    case 62..<82:
                        contentType = "multipart"
                        let file = chance(50) ? (field: pick(["photo", "photo1", "file", "csv"]), name: pick(["x.png", "../../x.jpg", "ы.pb", ""]),
                                                 type: pick(["image/png", "image/jpeg", "text/plain", "application/octet-stream"]),
                                                 bytes: pick([TestPhotos.png, TestPhotos.jpegWithGPS, Array("META\nkey;value\nbudget;-1\n".utf8),
                                                              Array(repeating: 0xFF, count: 3_000), [0x89, 0x50, 0x4E, 0x47]])) : nil
                        bodySize = form.reduce(0) { $0 + $1.1.utf8.count } + (file?.bytes.count ?? 0)
                        response = try await browser.postMultipart(path, form.filter { $0.0 != "_csrf" }, file: file)
                    case 82..<92:
                        contentType = "json"
                        let object = Dictionary(firstValues: form.map { ($0.0, chance(30) ? "[\"\($0.1.prefix(20))\"]" : "\"\($0.1.prefix(200).replacingOccurrences(of: "\"", with: ""))\"") })
                        let body = "{" + object.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ",") + "}"
                        bodySize = body.utf8.count
                        response = try await browser.postRaw(path, body: body, contentType: "application/json")
                    default:
                        contentType = pick(["text/plain", "application/xml", "multipart/form-data", "application/x-www-form-urlencoded; charset=koi8-r"])
                        let body = pick(["\u{0}\u{0}", "a=b&&&==&", String(repeating: "%", count: 500), "--x\r\n\r\n"])
                        bodySize = body.utf8.count
                        response = try await browser.postRaw(path, body: body, contentType: contentType)
                    }
                }
                let sent = Sent(index: index, actor: role, method: route.method, path: path, contentType: contentType, body: bodySize, status: response.status)
                byStatus[response.status.code, default: 0] += 1
                if response.status.code >= 500 {
                    fiveHundreds += 1
                    if failures.count < 25 { failures.append("5xx: \(sent)") }
                }
                if response.status.code >= 400 {
                    refused += 1
                    let after = try await Rows.take(app, tables)
                    if app.committedWrites != writesBefore || after != before {
                        let changed = zip(tables, zip(before.counts, after.counts)).filter { $0.1.0 != $0.1.1 }.map { "\($0.0) \($0.1.0)→\($0.1.1)" }
                        if failures.count < 25 { failures.append("a refusal changed data (\(app.committedWrites - writesBefore) writes; \(changed)): \(sent)") }
                    }
                }
                // A request may sign an actor out (or disable them): sign back in so every role keeps being tried.
                if index % 500 == 499 {
                    // The harness, not a request: sign-in limits counted the fuzzer's own attempts.
                    try await RateLimitBucket.query(on: app.db).delete()
                    for (offset, actor) in actors.enumerated() where offset > 0 {
                        if let user = try await User.query(on: app.db).filter(\.$email == DemoActors.emails[offset - 1].email).first(), user.disabled {
                            user.disabled = false
                            try await user.save(on: app.db)
                        }
                        try await actor.browser.signIn(DemoActors.emails[offset - 1].email)
                        try await actor.browser.get("/")
                    }
                }
            }
            print("hostile input: \(total) requests over \(covered.count) routes; \(refused) refused; 5xx: \(fiveHundreds); statuses \(byStatus.sorted { $0.key < $1.key })")
            #expect(failures.isEmpty, "seed \(seed):\n\(failures.joined(separator: "\n"))")
            #expect(covered.count >= routes.count * 9 / 10, "most routes were tried: \(covered.count) of \(routes.count)")
            #expect(try await Browser(app).get("/").status == .ok, "still serving")
            let chain = try await AuditLog.verify(on: app.db)
            #expect(chain.breach == nil, "the audit chain verifies after \(chain.count) entries")
            try await FiguresTests.expectCurrent(app, "seed \(seed)")
        }
    }

    @Test("bodies at and just over each limit, over real HTTP: taken, or refused with 413 (or before reading), never 5xx")
    func limits() async throws {
        try await withDemilge { app in
            func over(_ limit: ByteCount, by extra: Int) -> [UInt8] { Array(repeating: UInt8(ascii: "x"), count: Int(limit.value) + extra) }
            let problem = try #require(try await Problem.query(on: app.db).first()).idString
            let grant = try await GrantsTests.application(app, titled: GrantsDemo.manasAtaTitle).idString

            // No session: refused before the body is read, however large.
            let visitor = Browser(app)
            visitor.method = .running(port: 0)
            let anonymous = try await visitor.postRaw("/problems/\(problem)/comments", body: String(repeating: "x", count: 1_000_000), contentType: "application/x-www-form-urlencoded")
            #expect(anonymous.status == .forbidden)

            let resident = try await Browser(app).signIn("resident.manas-ata@demilge.kg")
            resident.method = .running(port: 0)
            try await resident.get("/problems/\(problem)")
            let near = try await resident.post("/problems/\(problem)/comments", [("body", String(repeating: "ы", count: Int(BodyLimits.form.value) / 6 - 2_000))])
            #expect(near.status == .unprocessableEntity, "just under the form limit: read, and refused as too long")
            let beyond = try await resident.post("/problems/\(problem)/comments", [("body", String(repeating: "x", count: Int(BodyLimits.form.value) + 1))])
            #expect(beyond.status == .payloadTooLarge)
            try await resident.get("/problems/new")
            let fields = [("title", "Чоң сүрөт"), ("description", "Көчөдө жарык жок, түнкүсүн караңгы."), ("category", "water"), ("territory", "KG-GO-manas-ata")]
            let photo = try await resident.postMultipart("/problems", fields, file: ("photo", "x.png", "image/png", over(BodyLimits.upload, by: 1)))
            #expect(photo.status == .payloadTooLarge)
            let notPhoto = try await resident.postMultipart("/problems", fields, file: ("photo", "x.png", "image/png", over(BodyLimits.upload, by: -200_000)))
            #expect(notPhoto.status == .unprocessableEntity)
            let city = try await resident.postMultipart("/rounds/import", [("territory", "KG-GO-manas-ata")], file: ("file", "x.pb", "text/plain", over(BodyLimits.form, by: 1)))
            #expect(city.status == .payloadTooLarge, "a resident may not send a city's .pb")

            let staff = try await Browser(app).signIn("staff.osh@demilge.kg")
            staff.method = .running(port: 0)
            try await staff.get("/rounds/import")
            let importFields = [("territory", "KG-GO-manas-ata"), ("title", "Чоң файл"), ("rule", "greedy_cost_sat"), ("opens_on", "2025-01-01"), ("closes_on", "2025-01-10")]
            let huge = try await staff.postMultipart("/rounds/import", importFields, file: ("file", "x.pb", "text/plain", over(BodyLimits.pabulibUpload, by: 1)))
            #expect(huge.status == .payloadTooLarge)
            // Over every other limit, under the staff's .pb limit (no bigger: a debug build parses it on a loaded machine).
            let junk = try await staff.postMultipart("/rounds/import", importFields, file: ("file", "x.pb", "text/plain", over(BodyLimits.upload, by: 1)))
            #expect(junk.status == .unprocessableEntity, "a big file staff may send is read and refused for what it says")

            let monitor = try await Browser(app).signIn("monitor.osh@demilge.kg")
            monitor.method = .running(port: 0)
            try await monitor.get("/applications/\(grant)")
            let visit = try await monitor.postMultipart("/applications/\(grant)/visits", [("findings", "x")], file: ("photo1", "x.png", "image/png", over(BodyLimits.visitUpload, by: 1)))
            #expect(visit.status == .payloadTooLarge)
            #expect(try await Browser(app).get("/").status == .ok)
        }
    }
}
