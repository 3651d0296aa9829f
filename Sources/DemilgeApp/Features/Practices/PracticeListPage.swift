import DemilgeCore
import Fluent
import Vapor

/// Published practices, newest first, by theme and oblast: what a municipality did and what it cost.
struct PracticeListPage: Encodable {
    struct Row: Encodable { let id: String, title: String, theme: String, place: String, oblast: String, cost: String }

    let practices: [Row]
    let themes: [Option]
    let oblasts: [Option]
    let canCreate: Bool

    static func build(_ req: Request, theme: String, oblast: String) async throws -> PracticeListPage {
        let directory = try await req.territoryDirectory()
        let query = Practice.query(on: req.db).with(\.$territory).sort(\.$publishedOn, .descending)
        if let theme = ProblemCategory(rawValue: theme) { query.filter(\.$theme == theme) }
        if let root = directory.byCode[oblast] { query.filter(\.$territory.$id ~~ Array(directory.subtree(of: (try root.requireID())))) }
        let language = req.language
        return PracticeListPage(
            practices: try await query.all().map { p in
                Row(id: p.idString, title: p.title, theme: req.t(p.theme.catalogKey), place: p.territory.name.text(language),
                    oblast: directory.topLevel(of: p.territory).name.text(language), cost: GrantDisplay.money(total(p), req))
            },
            themes: ProblemCategory.allCases.map { Option(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0.rawValue == theme) },
            oblasts: KyrgyzText.sorted(directory.roots, by: { $0.name.text(language) }, language).map {
                Option(value: $0.code, label: $0.name.text(language), selected: $0.code == oblast)
            },
            canCreate: Policy.allowsSomewhere(req.actor, .publishPractice))
    }

    /// What the practice cost from every source.
    static func total(_ practice: Practice) -> Int64 { Money.sum(practice.costs.map(\.1)) }
}
