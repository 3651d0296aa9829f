import DemilgeCore
import Fluent
import Vapor

/// A place picker: the places under each oblast, as one option group per oblast.
struct PlaceGroup: Encodable, Sendable {
    struct Option: Encodable, Sendable { let code: String; let label: String; let selected: Bool }
    let label: String
    let options: [Option]

    /// Places a resident can say they live in, grouped by oblast, in Kyrgyz alphabetical order;
    /// with `includeTopLevel`, oblasts and raions too (for filters).
    static func choices(_ req: Request, selected: String, includeTopLevel: Bool = false) async throws -> [PlaceGroup] {
        try await choices(req, selected: [selected], includeTopLevel: includeTopLevel)
    }

    static func choices(_ req: Request, selected: Set<String>, includeTopLevel: Bool = false) async throws -> [PlaceGroup] {
        let groups = try await req.application.territoryCache.picker(.init(language: req.language, includeTopLevel: includeTopLevel), on: req.db,
                                                                      at: req.application.dataVersion.current)
        return groups.map { group in
            PlaceGroup(label: group.label, options: group.options.map { .init(code: $0.code, label: $0.label, selected: selected.contains($0.code)) })
        }
    }

    static func all(_ directory: TerritoryDirectory, _ language: Language, includeTopLevel: Bool) -> [PlaceGroup] {
        let living: Set<TerritoryKind> = includeTopLevel ? Set(TerritoryKind.allCases) : [.ayilAimak, .city, .settlement, .cityDistrict, .republicanCity]
        return KyrgyzText.sorted(directory.roots, by: { $0.name.text(language) }, language).map { root in
            let places = directory.subtree(of: root).compactMap { directory.byID[$0] }.filter { living.contains($0.kind) }
            let options = KyrgyzText.sorted(places, by: { $0.name.text(language) }, language).map { place in
                Option(code: place.code, label: label(place, directory, language), selected: false)
            }
            return PlaceGroup(label: root.name.text(language), options: options)
        }
    }

    /// A filter's place picker that narrows step by step, so that a page never lists the whole country: the top
    /// level, then the places directly under each place on the way to the chosen one (an oblast's raions and
    /// cities, a raion's ayil aimaks, an ayil aimak's villages).
    static func narrowing(_ req: Request, selected code: String) async throws -> [PlaceGroup] {
        let directory = try await req.territoryDirectory()
        let language = req.language
        let path = directory.byCode[code].map(directory.path(to:)) ?? []
        func options(_ places: [Territory]) -> [Option] {
            KyrgyzText.sorted(places, by: { $0.name.text(language) }, language).map {
                Option(code: $0.code, label: $0.name.text(language), selected: $0.code == code)
            }
        }
        let top = PlaceGroup(label: req.t("places.top_level"), options: options(directory.roots))
        let steps = path.compactMap { place -> PlaceGroup? in
            guard let id = place.id, let children = directory.children[id], !children.isEmpty else { return nil }
            return PlaceGroup(label: place.name.text(language), options: options(children))
        }
        return [top] + steps
    }

    private static func label(_ place: Territory, _ directory: TerritoryDirectory, _ language: Language) -> String {
        let parent = place.$parent.id.flatMap { directory.byID[$0] }
        return parent.map { "\(place.name.text(language)) (\($0.name.text(language)))" } ?? place.name.text(language)
    }
}
