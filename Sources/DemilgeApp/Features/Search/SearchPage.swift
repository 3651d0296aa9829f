import DemilgeCore
import Fluent
import Vapor

/// Search results for the words typed (each word matched by its Kyrgyz or Russian stem), best first, twenty a page.
struct SearchPage: Encodable {
    struct Result: Encodable {
        let type: String, typeLabel: String, url: String
        let title: [Highlight.Run], snippet: [Highlight.Run]
    }

    let query: String, fold: Bool, type: String
    let types: [Option]
    let results: [Result], count: Int, hasResults: Bool, searched: Bool
    let page: Int, hasNext: Bool, hasPrevious: Bool, nextURL: String, previousURL: String

    /// A hit's weight: each query word found in the title counts three, in the text one.
    static func score(_ entry: SearchEntry, _ query: [Set<String>]) -> Int {
        query.reduce(0) { total, keys in
            let inTitle = keys.contains { entry.titleKeys.contains(" \($0) ") }
            return total + (inTitle ? 3 : 1)
        }
    }

    static func build(_ req: Request) async throws -> SearchPage {
        let text = String((req.query[String.self, at: "q"] ?? "").prefix(200)).trimmingCharacters(in: .whitespacesAndNewlines)
        let fold = req.query[String.self, at: "fold"] == "on"
        let type = req.query[String.self, at: "type"] ?? ""
        let paging = try req.pageRequest(defaultPerPage: SearchController.pageSize)
        let page = paging.page
        let words = Array(KyrgyzStemmer.words(text).prefix(SearchController.maximumWords))
        let query = words.map { SearchKeys.keys(of: $0, fold: fold) }
        let entries = try await SearchLookup.entries(query, fold: fold, type: type, limit: 500, on: req.db)
        let ranked = entries.map { ($0, Self.score($0, query)) }
            .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : KyrgyzText.areInOrder($0.0.title, $1.0.title, req.language) }
        let shown = ranked.dropFirst(paging.offset).prefix(paging.perPage)
        func url(_ page: Int) -> String {
            var items = [URLQueryItem(name: "q", value: text), URLQueryItem(name: "page", value: String(page))]
            if fold { items.append(URLQueryItem(name: "fold", value: "on")) }
            if !type.isEmpty { items.append(URLQueryItem(name: "type", value: type)) }
            var components = URLComponents()
            components.path = "/search"
            components.queryItems = items
            return components.string ?? "/search"
        }
        return SearchPage(
            query: text, fold: fold, type: type,
            types: SearchIndex.types.map { $0.searchType }.map {
                Option(value: $0, label: req.t("search.type.\($0)"), selected: $0 == type)
            },
            results: shown.map { entry, _ in
                Result(type: entry.entityType, typeLabel: req.t("search.type.\(entry.entityType)"), url: entry.url,
                       title: Highlight(entry.title, query: query, fold: fold).runs,
                       snippet: Highlight.snippet(entry.body, query: query, fold: fold).runs)
            },
            count: ranked.count, hasResults: !ranked.isEmpty, searched: !query.isEmpty,
            page: page, hasNext: ranked.count > paging.offset + paging.perPage && page < ListPage.maximumPage, hasPrevious: page > 1, nextURL: url(page + 1), previousURL: url(page - 1))
    }
}
