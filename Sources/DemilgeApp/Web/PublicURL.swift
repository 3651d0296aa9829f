import Vapor

/// The address the public reaches Demilge at, for links in feeds and open-data files that leave the site.
/// It is configured (`DEMILGE_PUBLIC_URL`, e.g. `https://demilge.kg`), never taken from a request's `Host`
/// header, which whoever sends the request chooses.
enum PublicURL {
    static let environmentName = "DEMILGE_PUBLIC_URL"
    static let fallback = "http://127.0.0.1:8080"

    struct Invalid: Error, CustomStringConvertible {
        let value: String
        var description: String { "\(PublicURL.environmentName) must be an http(s) address without a path, query or fragment, e.g. https://demilge.kg (got \(value))" }
    }

    /// Checks a configured address; the result has no trailing slash.
    static func parse(_ text: String) throws -> String {
        let trimmed = text.hasSuffix("/") ? String(text.dropLast()) : text
        guard let components = URLComponents(string: trimmed), let scheme = components.scheme, ["http", "https"].contains(scheme),
              let host = components.host, !host.isEmpty, components.path.isEmpty, components.query == nil, components.fragment == nil,
              components.user == nil else { throw Invalid(value: text) }
        return trimmed
    }

    private struct Key: StorageKey { typealias Value = String }

    static func install(_ value: String, on app: Application) { app.storage[Key.self] = value }

    static func base(_ app: Application) -> String { app.storage[Key.self] ?? fallback }

    /// Cookies are Secure (and HSTS is sent) whenever the public address is https, or with DEMILGE_SECURE_COOKIES=1
    /// behind a proxy that ends TLS for another name.
    static func securesCookies(_ app: Application) -> Bool {
        base(app).hasPrefix("https://") || Environment.get("DEMILGE_SECURE_COOKIES") == "1"
    }
}
