import DemilgeCore
import Foundation
import Testing

@Suite("Territories")
struct TerritoryTests {
    @Test("hierarchy rules: what may sit under what")
    func rules() throws {
        try TerritoryRules.check(kind: .oblast, parentKind: nil)
        try TerritoryRules.check(kind: .raion, parentKind: .oblast)
        try TerritoryRules.check(kind: .ayilAimak, parentKind: .raion)
        try TerritoryRules.check(kind: .settlement, parentKind: .republicanCity)
        try TerritoryRules.check(kind: .city, parentKind: .oblast)
        #expect(throws: TerritoryRuleError.topLevelHasParent(.oblast)) { try TerritoryRules.check(kind: .oblast, parentKind: .raion) }
        #expect(throws: TerritoryRuleError.missingParent(.raion)) { try TerritoryRules.check(kind: .raion, parentKind: nil) }
        #expect(throws: TerritoryRuleError.wrongParent(child: .ayilAimak, parent: .oblast)) { try TerritoryRules.check(kind: .ayilAimak, parentKind: .oblast) }
        #expect(TerritoryRules.isValidCode("KG-O-nookat"))
        #expect(!TerritoryRules.isValidCode("KG O"))
        #expect(!TerritoryRules.isValidCode("-KG"))
        #expect(!TerritoryRules.isValidCode("КГ-О"))
    }

    @Test("CSV: quotes, doubled quotes, commas and newlines inside fields, line numbers")
    func csv() throws {
        let rows = try CSV.parse("a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\n\n\"multi\nline\",z\n")
        #expect(rows.map(\.fields) == [["a", "b"], ["x, y", "say \"hi\""], ["multi\nline", "z"]])
        #expect(rows.map(\.line) == [1, 2, 4])
        #expect(throws: CSV.ParseError(line: 2, reason: .unterminatedQuote)) { try CSV.parse("a\n\"open,b\nc") }
        #expect(throws: CSV.ParseError(line: 1, reason: .characterAfterQuote)) { try CSV.parse("\"a\"b,c") }
        #expect(CSV.write(header: ["h"], rows: [["a,b"], ["q\"q"]]) == "h\r\n\"a,b\"\r\n\"q\"\"q\"\r\n")
    }

    static let header = TerritoryCSV.header.joined(separator: ",")

    @Test("territory CSV round-trips and checks parents against the file and the database")
    func territoryCSV() {
        let records = [
            TerritoryRecord(code: "KG-O", kind: .oblast, parentCode: nil, isoCode: "KG-O", name: LocalizedText(ky: "Ош облусу", ru: "Ошская область", en: "Osh Region")),
            TerritoryRecord(code: "KG-O-nookat", kind: .raion, parentCode: "KG-O", name: LocalizedText(ky: "Ноокат району"), aliases: ["Ноокатский"]),
        ]
        let text = TerritoryCSV.export(records)
        #expect(TerritoryCSV.parse(text, existing: [:]) == .success(records))
        let child = "\(Self.header)\nKG-O-nookat-x,ayil_aimak,KG-O-nookat,,Х айыл аймагы,,,\n"
        #expect((try? TerritoryCSV.parse(child, existing: ["KG-O-nookat": .raion]).get())?.count == 1)
        #expect(TerritoryCSV.parse("\u{FEFF}" + text, existing: [:]) == .success(records), "a BOM from Excel is accepted")
    }

    @Test("a bad territory file names every bad line and accepts none of it")
    func territoryCSVErrors() {
        let text = """
        \(Self.header)
        KG-X,oblast,,,Х облусу,,,
        KG-X,oblast,,,Кайра,,,
        KG-X-r,district,KG-X,,Х,,,
        KG-X-a,ayil_aimak,KG-X,,Х,,,
        KG-Y-r,raion,KG-NOPE,,Х,,,
        bad code,raion,KG-X,,Х,,,
        KG-X-r2,raion,KG-X,,,,,
        KG-X-r3,raion,KG-X
        """
        guard case .failure(let errors) = TerritoryCSV.parse(text, existing: [:]) else { Issue.record("accepted a bad file"); return }
        #expect(errors.lines.map(\.line) == [3, 4, 5, 6, 7, 8, 9])
        #expect(errors.lines.map(\.catalogKey) == ["error.csv.duplicate", "error.territory.kind", "error.territory.wrong_parent",
                                                  "error.territory.unknown_parent", "error.territory.code", "error.territory.name_ky", "error.csv.columns"])
        guard case .failure(let header) = TerritoryCSV.parse("code,name\nx,y", existing: [:]) else { Issue.record("accepted a bad header"); return }
        #expect(header.lines.first?.catalogKey == "error.csv.header")
    }
}
