import DemilgeCore
import Leaf
import Vapor

extension Application {
    private struct CatalogKey: StorageKey { typealias Value = Catalog }

    /// The UI string catalogs, loaded once at start-up.
    var catalog: Catalog {
        get { storage[CatalogKey.self] ?? Catalog(tables: [:]) }
        set { storage[CatalogKey.self] = newValue }
    }
}

extension Request {
    private struct LanguageKey: StorageKey { typealias Value = Language }

    /// The reader's language: their `lang` cookie, else their browser's preference, else Kyrgyz.
    var language: Language {
        get {
            if let chosen = storage[LanguageKey.self] { return chosen }
            let detected = cookies["lang"].flatMap { Language(rawValue: $0.string) }
                ?? Language.preferred(acceptLanguage: headers.first(name: .acceptLanguage))
                ?? .default
            storage[LanguageKey.self] = detected
            return detected
        }
        set { storage[LanguageKey.self] = newValue }
    }

    func t(_ key: String, _ arguments: [String: String] = [:]) -> String {
        application.catalog.text(key, language, arguments: arguments)
    }
}

/// `#t("key")` in templates: the key's text in the request's language (escaped by Leaf).
struct TranslateTag: LeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        guard let key = ctx.parameters.first?.string else { throw "#t needs a key" }
        guard let request = ctx.request else { return .string(Catalog(tables: [:]).text(key, .ky)) }
        return .string(request.t(key))
    }
}

/// `#percent(value)` in templates: a whole number (or a number already formatted) as a percentage in the request's
/// language (`Formatters.percent`).
struct PercentTag: LeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        guard let value = ctx.parameters.first else { throw "#percent needs a value" }
        let language = ctx.request?.language ?? .ky
        let number = value.int.map { Formatters.integer(Int64($0), language) } ?? value.string ?? ""
        return .string(Formatters.percent(number, language))
    }
}

/// `GET /lang/ru?back=/territories` remembers the choice in a cookie and returns to the page.
struct LanguageController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("lang", ":code", use: choose)
    }

    func choose(req: Request) async throws -> Response {
        guard let language = req.parameters.get("code").flatMap(Language.init(rawValue:)) else {
            throw Abort(.notFound)
        }
        let response = req.redirect(to: SafeRedirect.path(req.query["back"]))
        response.cookies["lang"] = HTTPCookies.Value(
            string: language.rawValue, expires: Date().addingTimeInterval(365 * 24 * 3600),
            path: "/", isHTTPOnly: true, sameSite: .lax)
        return response
    }
}

/// Only local paths are followed after a redirect, never another site. Browsers drop tabs and line breaks from
/// an address and read `\` as `/`, so `/\t/evil.example` or `/\\evil.example` would become `//evil.example`:
/// any control character, space, backslash or a leading `//` sends the reader home instead.
enum SafeRedirect {
    static func path(_ candidate: String?) -> String {
        guard let candidate, candidate.hasPrefix("/"), !candidate.hasPrefix("//"), candidate.utf8.count <= 2_000,
              !candidate.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F || $0 == "\\" || (0x80...0x9F).contains($0.value) })
        else { return "/" }
        return candidate
    }
}
