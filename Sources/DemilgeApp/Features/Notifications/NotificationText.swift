import DemilgeCore
import Foundation

/// How a notification reads, in the inbox and in e-mail: one line from `notify.<kind>` with the subject's name and
/// the detail in the reader's language, and the page it links to.
struct NotificationText {
    let catalog: Catalog

    func line(_ item: InboxItem, _ language: Language) -> String {
        let detail = item.detail.isEmpty ? "" : catalog.text(item.detail, language)
        return catalog.text("notify.\(item.kind.rawValue)", language, arguments: ["title": item.title, "detail": detail])
    }

    static func path(_ item: InboxItem) -> String {
        let id = item.subjectID
        switch (item.subjectKind, item.kind) {
        case (.problem, .comment): return SitePath.problemComments(id).path
        case (.problem, _): return SitePath.problem(id).path
        case (.round, .results): return SitePath.round(id).path + "/results"
        case (.round, _): return SitePath.round(id).path
        case (.call, _): return SitePath.call(id).path
        case (.application, .monitoring): return SitePath.applicationVisits(id).path
        case (.application, _): return SitePath.application(id).path
        case (.territory, _): return "/territories"
        }
    }
}
