import Leaf
import Vapor

/// `#path("problem", p.id)` in templates: the page's address from `SitePath`, so that no template spells a route.
/// A sub-resource is written after it (`#path("round", content.id)/results`). An unknown kind is a template error;
/// a value that is not an id gives an empty link rather than a failed page.
struct SitePathTag: LeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        guard ctx.parameters.count == 2, let kind = ctx.parameters[0].string else { throw "#path needs a kind and a value" }
        guard SitePath.Kind(rawValue: kind) != nil else { throw "#path: unknown kind \(kind)" }
        return .string(SitePath.named(kind, ctx.parameters[1].string ?? "")?.path ?? "")
    }
}
