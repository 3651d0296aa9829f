import DemilgeCore
import Fluent
import Vapor

/// A place picker: the places under each oblast, as one option group per oblast.
struct PlaceGroup: Encodable {
    struct Option: Encodable { let code: String; let label: String; let selected: Bool }
    let label: String
    let options: [Option]

    /// Places a resident can say they live in, grouped by oblast, in Kyrgyz alphabetical order;
    /// with `includeTopLevel`, oblasts and raions too (for filters).
    static func choices(_ req: Request, selected: String, includeTopLevel: Bool = false) async throws -> [PlaceGroup] {
        try await choices(req, selected: [selected], includeTopLevel: includeTopLevel)
    }

    static func choices(_ req: Request, selected: Set<String>, includeTopLevel: Bool = false) async throws -> [PlaceGroup] {
        let directory = try await TerritoryDirectory.load(on: req.db)
        let language = req.language
        let living: Set<TerritoryKind> = includeTopLevel ? Set(TerritoryKind.allCases) : [.ayilAimak, .city, .settlement, .cityDistrict, .republicanCity]
        return KyrgyzText.sorted(directory.roots, by: { $0.name.text(language) }, language).map { root in
            let places = directory.subtree(of: root).compactMap { directory.byID[$0] }.filter { living.contains($0.kind) }
            let options = KyrgyzText.sorted(places, by: { $0.name.text(language) }, language).map { place in
                let parent = place.$parent.id.flatMap { directory.byID[$0] }
                let label = parent.map { "\(place.name.text(language)) (\($0.name.text(language)))" } ?? place.name.text(language)
                return PlaceGroup.Option(code: place.code, label: label, selected: selected.contains(place.code))
            }
            return PlaceGroup(label: root.name.text(language), options: options)
        }
    }
}
