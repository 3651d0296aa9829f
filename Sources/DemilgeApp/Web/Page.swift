import DemilgeCore
import Leaf
import Vapor

/// A stored text as shown: the words, and their language when it differs from the page's.
struct DisplayText: Encodable {
    let text: String
    let lang: String?
}

extension LocalizedText {
    func display(_ language: Language) -> DisplayText {
        let resolved = resolved(language)
        return DisplayText(text: resolved.text, lang: resolved.language == language ? nil : resolved.language.rawValue)
    }
}

/// What every page shows around its content: language, navigation, account, flash message.
struct Chrome: Encodable {
    enum Mode { case full, minimal }

    struct Link: Encodable {
        let href: String
        let label: String
        let current: Bool
    }

    struct Account: Encodable {
        let name: String
        let isAdministrator: Bool
        /// The inbox link, with how many notifications are not yet read.
        let inbox: String
        let unread: Int
    }

    let lang: String
    let title: String
    let path: String
    let csrf: String?
    let account: Account?
    let languages: [Link]
    let nav: Navigation
    let flash: String?
}

struct PageContext<Content: Encodable>: Encodable {
    let chrome: Chrome
    let content: Content
}

extension Request {
    /// Renders `template` inside the layout, in the reader's language.
    /// `forms` asks for a CSRF token (pages with a form); signed-in pages always get one for sign-out.
    func page<Content: Encodable>(
        _ template: String, titleKey: String, titleArguments: [String: String] = [:], _ content: Content,
        chrome mode: Chrome.Mode = .full, forms: Bool = false, title: String? = nil, status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        let path = url.path
        let language = language
        let wantsToken = mode == .full && (forms || currentUser != nil)
        var account: Chrome.Account? = nil
        if mode == .full, let user = currentUser, let id = user.id {
            let unread = try await InboxItem.unread(id, on: db)
            account = Chrome.Account(name: user.displayName, isAdministrator: actor.isAdministrator,
                                     inbox: unread > 0 ? t("notify.inbox_unread", ["count": String(unread)]) : t("notify.inbox"), unread: unread)
        }
        let chrome = Chrome(
            lang: language.rawValue,
            title: title ?? t(titleKey, titleArguments),
            path: path,
            csrf: wantsToken ? CSRF.token(for: self) : nil,
            account: account,
            languages: Language.allCases.map { other in
                Chrome.Link(href: "/lang/\(other.rawValue)?back=\(path.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? "/")",
                            label: application.catalog.text("language.name", other), current: other == language)
            },
            nav: Navigation(path: path) { t($0) },
            flash: mode == .full ? takeFlash() : nil)
        let view = try await leaf.render(template, PageContext(chrome: chrome, content: content)).get()
        let response = try await view.encodeResponse(for: self)
        response.status = status
        // A page carrying a CSRF token is one reader's own: no cache may keep it (nor `PageCache`).
        response.headers.replaceOrAdd(name: .cacheControl, value: wantsToken ? "no-store, private" : "no-cache, private")
        response.headers.replaceOrAdd(name: .contentLanguage, value: language.rawValue)
        response.headers.replaceOrAdd(name: .vary, value: "Cookie, Accept-Language")
        return response
    }

    /// A message shown once on the next page, e.g. after a redirect.
    func flash(_ key: String) { session.data["flash"] = key }

    private func takeFlash() -> String? {
        guard hasSession, let key = session.data["flash"] else { return nil }
        session.data["flash"] = nil
        return t(key)
    }
}

/// A form whose only choice beyond its text fields is a territory (sessions, commissions).
struct TerritoryFormContent: Encodable {
    let form: FormState
    let places: [PlaceGroup]
}

extension Request {
    /// Renders such a form with the places grouped by oblast and the typed values kept.
    func territoryForm(_ template: String, titleKey: String, _ form: FormState, status: HTTPResponseStatus = .ok) async throws -> Response {
        try await page(template, titleKey: titleKey,
                       TerritoryFormContent(form: form, places: try await PlaceGroup.choices(self, selected: form["territory"])),
                       forms: true, status: status)
    }
}
