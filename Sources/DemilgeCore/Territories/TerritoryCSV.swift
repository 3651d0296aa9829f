import Foundation

/// One territory as exchanged in CSV (`code,kind,parent_code,iso_code,name_ky,name_ru,name_en,aliases`).
public struct TerritoryRecord: Equatable, Sendable {
    public var code: String
    public var kind: TerritoryKind
    public var parentCode: String?
    public var isoCode: String?
    public var name: LocalizedText
    public var aliases: [String]

    public init(code: String, kind: TerritoryKind, parentCode: String?, isoCode: String? = nil, name: LocalizedText, aliases: [String] = []) {
        self.code = code
        self.kind = kind
        self.parentCode = parentCode
        self.isoCode = isoCode
        self.name = name
        self.aliases = aliases
    }
}

public enum TerritoryCSV {
    public static let header = ["code", "kind", "parent_code", "iso_code", "name_ky", "name_ru", "name_en", "aliases"]

    /// A problem with one line of an import; `catalogKey` names the message shown to the user.
    public struct LineError: Error, Equatable, Sendable {
        public var line: Int
        public var catalogKey: String
        public var detail: String
    }

    /// Every bad line of a rejected file.
    public struct LineErrors: Error, Equatable, Sendable {
        public var lines: [LineError]
    }

    public static func export(_ records: [TerritoryRecord]) -> String {
        CSV.write(header: header, rows: records.map { record in
            [record.code, record.kind.rawValue, record.parentCode ?? "", record.isoCode ?? "",
             record.name.ky, record.name.ru ?? "", record.name.en ?? "", record.aliases.joined(separator: ";")]
        })
    }

    /// Parses and checks a whole file; any error rejects the file and lists every bad line.
    /// Parents may be earlier in the file or among `existing` (code → kind).
    public static func parse(_ text: String, existing: [String: TerritoryKind]) -> Result<[TerritoryRecord], LineErrors> {
        let rows: [(line: Int, fields: [String])]
        do {
            rows = try CSV.parse(text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text)
        } catch {
            return .failure(LineErrors(lines: [LineError(line: error.line, catalogKey: "error.csv.malformed", detail: error.reason.rawValue)]))
        }
        guard let first = rows.first, first.fields.map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) == header else {
            return .failure(LineErrors(lines: [LineError(line: 1, catalogKey: "error.csv.header", detail: header.joined(separator: ","))]))
        }
        var known = existing
        var records: [TerritoryRecord] = []
        var errors: [LineError] = []
        var seen: Set<String> = []
        for (line, fields) in rows.dropFirst() {
            func fail(_ key: String, _ detail: String) { errors.append(LineError(line: line, catalogKey: key, detail: detail)) }
            guard fields.count == header.count else { fail("error.csv.columns", "\(fields.count)/\(header.count)"); continue }
            let value = fields.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            let code = value[0]
            guard TerritoryRules.isValidCode(code) else { fail("error.territory.code", code); continue }
            guard seen.insert(code).inserted else { fail("error.csv.duplicate", code); continue }
            guard let kind = TerritoryKind(rawValue: value[1]) else { fail("error.territory.kind", value[1]); continue }
            guard !value[4].isEmpty else { fail("error.territory.name_ky", code); continue }
            let parentCode = value[2].isEmpty ? nil : value[2]
            let parentKind = parentCode.flatMap { known[$0] }
            if let parentCode, parentKind == nil { fail("error.territory.unknown_parent", parentCode); continue }
            do {
                try TerritoryRules.check(kind: kind, parentKind: parentKind)
            } catch {
                fail(error.catalogKey, code); continue
            }
            known[code] = kind
            records.append(TerritoryRecord(
                code: code, kind: kind, parentCode: parentCode, isoCode: value[3].isEmpty ? nil : value[3],
                name: LocalizedText(ky: value[4], ru: value[5].isEmpty ? nil : value[5], en: value[6].isEmpty ? nil : value[6]),
                aliases: value[7].split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }))
        }
        return errors.isEmpty ? .success(records) : .failure(LineErrors(lines: errors))
    }
}
