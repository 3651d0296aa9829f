import DemilgeCore
import Fluent
import Vapor

/// One public thing as search sees it: its words reduced to keys (see `SearchKeys`), kept beside the records.
final class SearchEntry: Model, @unchecked Sendable {
    static let schema = "search_entries"
    @ID(key: .id) var id: UUID?
    @Field(key: "entity_type") var entityType: String
    @Field(key: "entity_id") var entityID: String
    @Field(key: "title") var title: String
    @Field(key: "body") var body: String
    @Field(key: "url") var url: String
    @Field(key: "title_keys") var titleKeys: String
    @Field(key: "keys") var keys: String
    @Field(key: "folded_keys") var foldedKeys: String
    init() {}
}

/// What an entry says: a title, the text around it, and where it lives. nil means "not public, not searchable".
struct SearchContent {
    let title: String
    let body: String
    let url: String
}

/// A model that search finds. Its entry is refreshed whenever it is saved (`SearchIndexMiddleware`).
protocol Searchable: Model where IDValue == UUID {
    static var searchType: String { get }
    var searchID: String { get }
    func searchContent(on db: any Database) async throws -> SearchContent?
}

extension Searchable {
    var searchID: String { id?.uuidString.lowercased() ?? "" }
}

enum SearchIndex {
    static let types: [any Searchable.Type] = [Problem.self, InitiativeGroup.self, BudgetProject.self, GrantCall.self, GrantApplication.self,
                                               Organisation.self, Territory.self, Event.self, Practice.self]

    static func refresh(_ model: some Searchable, on db: any Database) async throws {
        let existing = try await SearchEntry.query(on: db).filter(\.$entityType == type(of: model).searchType).filter(\.$entityID == model.searchID).first()
        guard let content = try await model.searchContent(on: db) else {
            try await existing?.delete(on: db)
            return
        }
        let entry = existing ?? SearchEntry()
        entry.entityType = type(of: model).searchType
        entry.entityID = model.searchID
        entry.title = content.title
        entry.body = content.body
        entry.url = content.url
        entry.titleKeys = SearchKeys.column(SearchKeys.keys(ofText: content.title).union(SearchKeys.keys(ofText: content.title, fold: true)))
        entry.keys = SearchKeys.column(SearchKeys.keys(ofText: content.title + " " + content.body))
        entry.foldedKeys = SearchKeys.column(SearchKeys.keys(ofText: content.title + " " + content.body, fold: true))
        try await entry.save(on: db)
    }

    static func remove(_ model: some Searchable, on db: any Database) async throws {
        try await SearchEntry.query(on: db).filter(\.$entityType == type(of: model).searchType).filter(\.$entityID == model.searchID).delete()
    }

    /// Builds every entry again, e.g. after the demo data was loaded.
    static func rebuild(on db: any Database) async throws -> Int {
        try await SearchEntry.query(on: db).delete()
        var count = 0
        for type in types { count += try await rebuild(type, on: db) }
        return count
    }

    private static func rebuild<T: Searchable>(_ type: T.Type, on db: any Database) async throws -> Int {
        let models = try await T.query(on: db).all()
        for model in models { try await refresh(model, on: db) }
        return models.count
    }
}

/// Keeps a model's search entry in step with it, in the same transaction as the change.
struct SearchIndexMiddleware<M: Searchable>: AsyncModelMiddleware {
    func create(model: M, on db: any Database, next: any AnyAsyncModelResponder) async throws {
        try await next.create(model, on: db)
        try await SearchIndex.refresh(model, on: db)
    }

    func update(model: M, on db: any Database, next: any AnyAsyncModelResponder) async throws {
        try await next.update(model, on: db)
        try await SearchIndex.refresh(model, on: db)
    }

    func delete(model: M, force: Bool, on db: any Database, next: any AnyAsyncModelResponder) async throws {
        try await next.delete(model, force: force, on: db)
        try await SearchIndex.remove(model, on: db)
    }
}

extension Problem: Searchable {
    static var searchType: String { "problem" }
    func searchContent(on db: any Database) async throws -> SearchContent? {
        guard !hidden, $mergedInto.id == nil else { return nil }
        return SearchContent(title: title, body: description, url: SitePath.problem(id).path)
    }
}

extension InitiativeGroup: Searchable {
    static var searchType: String { "group" }
    func searchContent(on db: any Database) async throws -> SearchContent? {
        SearchContent(title: name, body: focus, url: SitePath.group(id).path)
    }
}

extension BudgetProject: Searchable {
    static var searchType: String { "initiative" }
    func searchContent(on db: any Database) async throws -> SearchContent? {
        SearchContent(title: title, body: description, url: SitePath.round($round.id).path)
    }
}

extension GrantCall: Searchable {
    static var searchType: String { "grant_call" }
    func searchContent(on db: any Database) async throws -> SearchContent? {
        guard status != .draft else { return nil }
        return SearchContent(title: title, body: description, url: SitePath.call(id).path)
    }
}

extension GrantApplication: Searchable {
    static var searchType: String { "grant" }
    /// Until a proposal is awarded only who applied for what is public, so only that is searchable.
    func searchContent(on db: any Database) async throws -> SearchContent? {
        guard status != .draft else { return nil }
        let organisation = try await Organisation.find($organisation.id, on: db)?.name.ky ?? ""
        let body = GrantDisplay.awarded.contains(status) ? "\(organisation). \(summary) \(goals)" : organisation
        return SearchContent(title: title, body: body, url: SitePath.application(id).path)
    }
}

extension Organisation: Searchable {
    static var searchType: String { "organisation" }
    var searchID: String { slug }
    func searchContent(on db: any Database) async throws -> SearchContent? {
        SearchContent(title: nameKy, body: [nameRu, nameEn, place].compactMap { $0 }.joined(separator: " · "), url: SitePath.organisation(slug).path)
    }
}

extension Territory: Searchable {
    static var searchType: String { "territory" }
    var searchID: String { code }
    func searchContent(on db: any Database) async throws -> SearchContent? {
        SearchContent(title: nameKy, body: [nameRu, nameEn, aliases].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " · "), url: SitePath.territory(code).path)
    }
}

extension Event: Searchable {
    static var searchType: String { "event" }
    func searchContent(on db: any Database) async throws -> SearchContent? {
        SearchContent(title: title, body: "\(agenda) \(outcomes)", url: SitePath.event(id).path)
    }
}

extension Practice: Searchable {
    static var searchType: String { "practice" }
    func searchContent(on db: any Database) async throws -> SearchContent? {
        SearchContent(title: title, body: "\(whatWasDone) \(whatWorked)", url: SitePath.practice(id).path)
    }
}
