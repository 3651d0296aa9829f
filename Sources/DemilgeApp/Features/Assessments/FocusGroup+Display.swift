import DemilgeCore
import Fluent
import Vapor

extension FocusGroup {
    /// The group's kind in the reader's language, or the name a custom group was given.
    func displayName(_ req: Request) -> String {
        kind == .custom ? (label ?? req.t(FocusGroupKind.custom.catalogKey)) : req.t(kind.catalogKey)
    }
}
