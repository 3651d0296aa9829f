@testable import DemilgeApp
import DemilgeCore
import Foundation
import Testing

@Suite("String catalogs")
struct CatalogTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var catalog: Catalog { get throws { try Catalog.load(directory: root.appendingPathComponent("Resources/Localization")) } }

    static func files(under folder: String, ending: String) -> [URL] {
        let enumerator = FileManager.default.enumerator(at: root.appendingPathComponent(folder), includingPropertiesForKeys: nil)
        return (enumerator?.allObjects as? [URL] ?? []).filter { $0.pathExtension == ending }
    }

    static func matches(_ pattern: String, in text: String) -> [String] {
        let regex = try! NSRegularExpression(pattern: pattern)
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap {
            Range($0.range(at: 1), in: text).map { String(text[$0]) }
        }
    }

    @Test("every key exists, non-empty, in ky, ru and en")
    func complete() throws {
        let catalog = try Self.catalog
        #expect(catalog.allKeys.count > 200)
        #expect(catalog.missingKeys.isEmpty, "\(catalog.missingKeys)")
    }

    @Test("every #t key in every template is in the catalogs")
    func templateKeys() throws {
        let catalog = try Self.catalog
        let templates = Self.files(under: "Resources/Views", ending: "leaf")
        #expect(templates.count >= 18)
        for file in templates {
            let text = try String(contentsOf: file, encoding: .utf8)
            for key in Self.matches(#"#t\("([^"]+)"\)"#, in: text) {
                #expect(catalog.has(key, in: .ky), "\(file.lastPathComponent): \(key)")
            }
        }
    }

    @Test("no template writes a colon right after a tag, which Leaf would read as the start of a body")
    func noColonAfterInlineTags() throws {
        for file in Self.files(under: "Resources/Views", ending: "leaf") {
            let text = try String(contentsOf: file, encoding: .utf8)
            #expect(Self.matches(#"(#t\("[^"]+"\):)"#, in: text).isEmpty, "\(file.lastPathComponent)")
            #expect(Self.matches(#"(#\([^()]*\):)"#, in: text).isEmpty, "\(file.lastPathComponent)")
        }
    }

    @Test("every literal key the Swift code asks for is in the catalogs")
    func codeKeys() throws {
        let catalog = try Self.catalog
        var checked = 0
        for file in Self.files(under: "Sources", ending: "swift") {
            let text = try String(contentsOf: file, encoding: .utf8)
            let keys = Self.matches(#"\.t\("([a-z_.]+)""#, in: text) + Self.matches(#"flash\("([a-z_.]+)"\)"#, in: text)
                + Self.matches(#"titleKey: "([a-z_.]+)""#, in: text)
            for key in keys {
                #expect(catalog.has(key, in: .ky), "\(file.lastPathComponent): \(key)")
                checked += 1
            }
        }
        #expect(checked > 60)
    }

    @Test("every key derived from a type is in the catalogs")
    func derivedKeys() throws {
        let catalog = try Self.catalog
        var keys = TerritoryKind.allCases.flatMap { [$0.catalogKey, "territory.kinds.\($0.rawValue)"] }
        keys += Role.allCases.map(\.catalogKey)
        keys += OrganisationKind.allCases.map(\.catalogKey)
        keys += LegalForm.allCases.flatMap { [$0.catalogKey, $0.catalogKey + ".short"] }
        keys += [DemilgeError.csrf, .forbidden, .signInRequired, .notFound, .rateLimited, .staleEdit].map(\.catalogKey)
        keys += [TerritoryRuleError.cycle, .missingParent(.raion), .topLevelHasParent(.oblast), .wrongParent(child: .raion, parent: .city)].map(\.catalogKey)
        keys += ["territory.create", "territory.update", "organisation.create", "organisation.update", "programme.create", "grantee.create"].map { "activity.\($0)" }
        keys += HomePage.publicActions.map { "activity.\($0)" }
        keys += SearchIndex.types.map { "search.type.\($0.searchType)" }
        keys += ["global", "territory", "programme"].map { "role.scope.\($0)" }
        keys += GrantStatus.allCases.map(\.catalogKey) + GrantStatus.allCases.filter { $0 != .draft }.map { "grants.move.\($0.rawValue)" } + GrantLifecycle.Stage.allCases.map(\.catalogKey)
        keys += CallStatus.allCases.map(\.catalogKey) + ["open", "review"].map { "grants.move_call.\($0)" }
        keys += ApplicantKind.allCases.map(\.catalogKey) + FundingSource.allCases.map(\.catalogKey)
        keys += [ReviewAccess.Conflict.ownOrganisation, .ownMunicipality, .declared].map { "grants.conflict.\($0.rawValue)" }
        keys += [ApplicationProblem.noBudgetLines, .lineNotPositive(line: 1), .grantLinesDoNotSum(lines: 0, requested: 0), .linesDoNotSum(lines: 0, total: 0),
                 .overMaximum(requested: 0, maximum: 0), .belowMinimum(requested: 0, minimum: 0), .coFundingBelowShare(required: 0, actual: .zero),
                 .applicantKindNotEligible(.cso), .territoryNotEligible, .pastDeadline(Day.today())].map(\.catalogKey)
        keys += [ContractProblem.amountAboveAward(amount: 0, awarded: 0), .tranchesDoNotSum(tranches: 0, amount: 0), .overTranche(remaining: 0),
                 .earlierTrancheUnpaid(number: 1), .notPositive].map(\.catalogKey)
        keys += ["error.csv.malformed", "error.csv.header", "error.csv.columns", "error.csv.duplicate", "error.territory.code",
                 "error.territory.kind", "error.territory.name_ky", "error.territory.unknown_parent"]
        for key in keys {
            #expect(catalog.has(key, in: .ky) && catalog.has(key, in: .ru) && catalog.has(key, in: .en), "\(key)")
        }
    }

    @Test("a missing key is visible, so page tests catch it")
    func missingKeyMarker() throws {
        #expect(try Self.catalog.text("no.such.key", .ru).hasPrefix(Catalog.missingMarker))
    }

    /// The value with its plural blocks taken out, and whether every block had its `other` branch.
    static func outsidePlurals(_ value: String) -> String {
        var text = value
        while let start = text.range(of: ", plural,")?.lowerBound, let open = text[..<start].lastIndex(of: "{") {
            var depth = 0, end = text.endIndex
            for index in text[open...].indices {
                if text[index] == "{" { depth += 1 }
                if text[index] == "}" { depth -= 1; if depth == 0 { end = text.index(after: index); break } }
            }
            text.replaceSubrange(open..<end, with: "⟨n⟩")
        }
        return text
    }

    @Test("every plural block has its other branch and is filled; Kyrgyz numbers take their ending through {name:case}")
    func pluralsAndEndings() throws {
        let catalog = try Self.catalog
        for language in Language.allCases {
            for (key, value) in catalog.tables[language] ?? [:] {
                let names = Set(Self.matches(#"\{([a-z_]+)[,:}]"#, in: value))
                let filled = catalog.text(key, language, arguments: Dictionary(names.map { ($0, "7") }, uniquingKeysWith: { a, _ in a }))
                #expect(!filled.contains("plural") && !filled.contains("{"), "\(language) \(key): \(filled)")
            }
        }
        // An ending written onto a placeholder suits only some numbers ("{min}ден" gives 3ден, where Kyrgyz has 3төн).
        let endings = "(?:га|ге|го|гө|ка|ке|ко|кө|да|де|до|дө|та|те|то|тө|дан|ден|дон|дөн|тан|тен|тон|төн|нын|нин|нун|нүн|дын|дин|дун|дүн|тын|тин|тун|түн|ны|ни|ну|нү|ды|ди|ду|дү|ты|ти|ту|тү)"
        for (key, value) in catalog.tables[.ky] ?? [:] {
            #expect(Self.matches(#"(\{[a-z_]+\}"# + endings + ")", in: value).isEmpty, "ky \(key): \(value)")
        }
    }

    /// Placeholders that stand for a count of something.
    static let counts: Set<String> = ["count", "n", "limit", "supporters", "minutes", "hours", "points", "expected", "maximum", "minimum",
                                      "groups", "runs", "entries", "full"]

    @Test("a count before a noun in Russian or English goes through a plural block (no \"1 projects\", no \"21 проектов\")")
    func countsAgree() throws {
        let catalog = try Self.catalog
        for (language, noun) in [(Language.ru, #"[а-яё][а-яё-]*[а-яё]"#), (.en, #"[a-z-]+s"#)] {
            for (key, value) in catalog.tables[language] ?? [:] {
                let outside = Self.outsidePlurals(value)
                for name in Self.counts {
                    let agreeing = Self.matches(#"(\{"# + name + #"\} "# + noun + #")(?![.\w])"#, in: outside)
                    #expect(agreeing.isEmpty, "\(language) \(key): \(agreeing)")
                }
            }
        }
    }
}

