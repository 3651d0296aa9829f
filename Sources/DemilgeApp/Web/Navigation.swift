/// The site's sections as the header shows them: home, three groups of pages, and search — not sixteen links in a row.
struct Navigation: Encodable {
    struct Section: Encodable {
        let label: String
        /// The reader is on one of this section's pages.
        let current: Bool
        let links: [Chrome.Link]
    }

    let home: Chrome.Link
    let sections: [Section]
    let search: Chrome.Link

    static let groups: [(key: String, pages: [(href: String, key: String)])] = [
        ("nav.section.take_part", [("/problems", "nav.problems"), ("/assessments", "nav.assessments"), ("/groups", "nav.groups"), ("/events", "nav.events")]),
        ("nav.section.decisions", [("/commissions", "nav.commissions"), ("/rounds", "nav.rounds"), ("/programmes", "nav.programmes"), ("/grants", "nav.grants")]),
        ("nav.section.open_data", [("/territories", "nav.territories"), ("/organisations", "nav.organisations"), ("/indicators", "nav.indicators"), ("/practices", "nav.practices")]),
    ]

    init(path: String, text: (String) -> String) {
        func link(_ href: String, _ key: String) -> Chrome.Link {
            Chrome.Link(href: href, label: text(key), current: href == "/" ? path == "/" : Self.isWithin(path, href))
        }
        home = link("/", "nav.home")
        search = link("/search", "nav.search")
        sections = Self.groups.map { group in
            let links = group.pages.map { link($0.href, $0.key) }
            return Section(label: text(group.key), current: links.contains(where: \.current), links: links)
        }
    }

    /// `/grants/x` is within `/grants`; `/groupsx` is not.
    static func isWithin(_ path: String, _ href: String) -> Bool {
        path == href || path.hasPrefix(href + "/")
    }
}
