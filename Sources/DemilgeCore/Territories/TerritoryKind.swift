import Foundation

/// The levels of Kyrgyzstan's administrative-territorial structure that Demilge records.
public enum TerritoryKind: String, StoredState {
    case oblast
    case republicanCity = "republican_city"
    case raion
    case cityDistrict = "city_district"
    case ayilAimak = "ayil_aimak"
    case city
    case settlement

    /// The kinds a territory of this kind may sit under; empty means it is a top level.
    public var allowedParents: Set<TerritoryKind> {
        switch self {
        case .oblast, .republicanCity: []
        case .raion: [.oblast]
        case .cityDistrict: [.republicanCity]
        case .ayilAimak: [.raion]
        case .city: [.oblast, .raion]
        case .settlement: [.ayilAimak, .city, .republicanCity, .cityDistrict]
        }
    }

    public var isTopLevel: Bool { allowedParents.isEmpty }

    /// Whether it has its own local self-government body (a municipality).
    public var isMunicipality: Bool { self == .ayilAimak || self == .city || self == .republicanCity }

    public var catalogKey: String { "territory.kind.\(rawValue)" }
}

public enum TerritoryRuleError: Error, Equatable, Sendable {
    case topLevelHasParent(TerritoryKind)
    case missingParent(TerritoryKind)
    case wrongParent(child: TerritoryKind, parent: TerritoryKind)
    case cycle

    public var catalogKey: String {
        switch self {
        case .topLevelHasParent: "error.territory.top_level_has_parent"
        case .missingParent: "error.territory.missing_parent"
        case .wrongParent: "error.territory.wrong_parent"
        case .cycle: "error.territory.cycle"
        }
    }
}

public enum TerritoryRules {
    /// Checks that a territory of `kind` may sit under a parent of `parentKind` (nil: no parent).
    public static func check(kind: TerritoryKind, parentKind: TerritoryKind?) throws(TerritoryRuleError) {
        switch (kind.isTopLevel, parentKind) {
        case (true, nil): return
        case (true, .some): throw .topLevelHasParent(kind)
        case (false, nil): throw .missingParent(kind)
        case (false, .some(let parent)):
            guard kind.allowedParents.contains(parent) else { throw .wrongParent(child: kind, parent: parent) }
        }
    }

    /// The pattern territory codes follow: ISO 3166-2:KG for the top level, then `PARENT-slug`.
    public static func isValidCode(_ code: String) -> Bool {
        guard (2...120).contains(code.count) else { return false }
        return code.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) && $0.isASCII || $0 == "-" }
            && !code.hasPrefix("-") && !code.hasSuffix("-")
    }
}
