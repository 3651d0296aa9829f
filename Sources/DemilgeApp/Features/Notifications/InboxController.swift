import DemilgeCore
import Fluent
import Vapor

/// A signed-in person's notifications, newest first, and how each kind reaches them by e-mail.
struct InboxController: RouteCollection {
    static let perPage = 30

    func boot(routes: any RoutesBuilder) throws {
        routes.get("account", "notifications", use: inbox)
        routes.post("account", "notifications", "read", use: markRead)
        routes.get("account", "notifications", "settings", use: settings)
        routes.post("account", "notifications", "settings", use: saveSettings)
    }

    struct Line: Encodable {
        let text: String
        let href: String
        let when: String
        let unread: Bool
    }

    struct InboxPage: Encodable {
        let lines: [Line]
        let pages: PageLinks
        let unread: Int
    }

    func inbox(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let userID = try user.requireID()
        let page = try req.htmlPage(perPage: Self.perPage)
        async let rows = InboxItem.query(on: req.db).filter(\.$user.$id == userID).sort(\.$id, .descending)
            .range(page.offset..<(page.offset + page.perPage + 1)).all()
        async let unread = InboxItem.unread(userID, on: req.db)
        let (items, links) = PageLinks.split(try await rows, page, path: "/account/notifications", query: "")
        let text = NotificationText(catalog: req.application.catalog)
        let language = req.language
        let lines = items.map { item in
            Line(text: text.line(item, language), href: NotificationText.path(item),
                 when: Formatters.dateTime(Date(millis: item.createdMillis), language), unread: item.readMillis == nil)
        }
        return try await req.page("notifications/inbox", titleKey: "notify.inbox", InboxPage(lines: lines, pages: links, unread: try await unread), forms: true)
    }

    /// Everything in the inbox counts as read (the person's own bookkeeping: not audited, changes no public page).
    func markRead(req: Request) async throws -> Response {
        let userID = try req.requireUser().requireID()
        let now = Date().millis
        try await req.write(counted: false) { db in
            try await InboxItem.query(on: db).filter(\.$user.$id == userID).filter(\.$readMillis == nil).set(\.$readMillis, to: now).update()
        }
        return req.redirect(to: "/account/notifications", redirectType: .normal)
    }

    struct KindChoice: Encodable {
        let kind: String
        let label: String
        let options: [Option]
    }

    struct SettingsPage: Encodable {
        let kinds: [KindChoice]
        let languages: [Option]
        let confirmed: Bool
        let form: FormState
    }

    func settings(req: Request) async throws -> Response {
        try await renderSettings(req, form: FormState())
    }

    private func renderSettings(_ req: Request, form: FormState, status: HTTPResponseStatus = .ok) async throws -> Response {
        let user = try req.requireUser()
        let chosen = try await NotificationSetting.query(on: req.db).filter(\.$user.$id == (try user.requireID())).all()
        let byKind = Dictionary(firstValues: chosen.map { ($0.kind, $0.delivery) })
        let kinds = NotificationKind.allCases.map { kind in
            let current = form.values[kind.rawValue].flatMap(MailDelivery.init(rawValue:)) ?? byKind[kind] ?? kind.defaultDelivery
            return KindChoice(kind: kind.rawValue, label: req.t(kind.catalogKey),
                              options: MailDelivery.allCases.map { Option(value: $0.rawValue, label: req.t("notify.delivery.\($0.rawValue)"), selected: $0 == current) })
        }
        let language = user.language ?? .ky
        let languages = Language.allCases.map { Option(value: $0.rawValue, label: req.application.catalog.text("language.name", $0), selected: $0 == language) }
        return try await req.page("notifications/settings", titleKey: "notify.settings",
                                  SettingsPage(kinds: kinds, languages: languages, confirmed: user.emailConfirmedMillis != nil, form: form),
                                  forms: true, status: status)
    }

    func saveSettings(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let userID = try user.requireID()
        var form = FormState.read(req, fields: NotificationKind.allCases.map(\.rawValue) + ["language"])
        var choices: [(NotificationKind, MailDelivery)] = []
        for kind in NotificationKind.allCases {
            if let delivery = MailDelivery(rawValue: form[kind.rawValue]) { choices.append((kind, delivery)) }
            else { form.fail(kind.rawValue, req.t("validation.choose_from_list")) }
        }
        let language = Language(rawValue: form["language"])
        if language == nil { form.fail("language", req.t("validation.choose_from_list")) }
        guard form.isValid, let language else { return try await renderSettings(req, form: form, status: form.status) }
        let chosen = choices
        try await req.write { db in
            try await NotificationSetting.query(on: db).filter(\.$user.$id == userID).delete()
            for (kind, delivery) in chosen where delivery != kind.defaultDelivery {
                try await NotificationSetting(userID: userID, kind: kind, delivery: delivery).create(on: db)
            }
            try await User.query(on: db).filter(\.$id == userID).set(\.$language, to: language).update()
            try await NotificationPreferences.rescheduleWaiting(userID, on: db)
            try await AuditLog.record(on: db, by: .user(userID), action: "user.notification_settings", entityType: "user",
                                      entityID: userID.uuidString.lowercased(),
                                      after: Dictionary(firstValues: chosen.map { ($0.0.rawValue, $0.1.rawValue) }).merging(["language": language.rawValue]) { a, _ in a })
        }
        req.flash("notify.settings_saved")
        return req.redirect(to: "/account/notifications/settings", redirectType: .normal)
    }
}

extension InboxItem {
    static func unread(_ user: UUID, on db: any Database) async throws -> Int {
        try await InboxItem.query(on: db).filter(\.$user.$id == user).filter(\.$readMillis == nil).count()
    }
}

/// What a change of e-mail choices does to notifications already waiting for e-mail.
enum NotificationPreferences {
    /// Waiting notifications follow the new choice: none drops them from e-mail, immediate makes them due now, digest
    /// moves them to the next digest.
    static func rescheduleWaiting(_ userID: UUID, on db: any Database, now: Date = Date()) async throws {
        let chosen = try await NotificationSetting.query(on: db).filter(\.$user.$id == userID).all()
        let byKind = Dictionary(firstValues: chosen.map { ($0.kind, $0.delivery) })
        for kind in NotificationKind.allCases {
            let due = (byKind[kind] ?? kind.defaultDelivery).due(after: now)?.millis
            try await InboxItem.query(on: db).filter(\.$user.$id == userID).filter(\.$kind == kind).filter(\.$mailDueMillis != nil)
                .set(\.$mailDueMillis, to: due).update()
        }
    }
}
