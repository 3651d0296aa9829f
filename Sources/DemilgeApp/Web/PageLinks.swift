import DemilgeCore
import Vapor

/// Previous and next links of a paged HTML list, keeping the list's other query values. Whether there is a next
/// page is learnt by reading one row more than a page holds, so no page counts the whole list.
struct PageLinks: Encodable {
    let number: Int
    let previous: String?
    let next: String?
    var hasPrevious: Bool { previous != nil }
    var hasNext: Bool { next != nil }

    enum CodingKeys: String, CodingKey { case number, previous, next, hasPrevious, hasNext }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(number, forKey: .number)
        try container.encode(previous ?? "", forKey: .previous)
        try container.encode(next ?? "", forKey: .next)
        try container.encode(hasPrevious, forKey: .hasPrevious)
        try container.encode(hasNext, forKey: .hasNext)
    }

    /// The rows of this page (at most `page.perPage`) from rows read with `limit: page.perPage + 1`.
    static func split<Row>(_ rows: [Row], _ page: ListPage, path: String, query: String, fragment: String = "") -> (rows: [Row], links: PageLinks) {
        let prefix = query.isEmpty ? "\(path)?page=" : "\(path)?\(query)&page="
        let suffix = fragment.isEmpty ? "" : "#\(fragment)"
        let hasNext = rows.count > page.perPage && page.page < ListPage.maximumPage
        return (Array(rows.prefix(page.perPage)),
                PageLinks(number: page.page,
                          previous: page.page > 1 ? prefix + String(page.page - 1) + suffix : nil,
                          next: hasNext ? prefix + String(page.page + 1) + suffix : nil))
    }
}
