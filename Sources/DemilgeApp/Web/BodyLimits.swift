import DemilgeCore
import Vapor

/// How much a request body may carry: forms are small; only file uploads get more.
enum BodyLimits {
    static let form: ByteCount = "256kb"
    static let upload: ByteCount = "2mb"
    static let uploadPaths: Set<String> = ["/admin/territories/import", "/problems"]
    /// A city's pabulib file with all its ballots (Łódź 2022 is about 4 MB).
    static let pabulibUpload: ByteCount = "24mb"
    /// A municipality's resident roll: up to `ResidentRoll.maximumEntries` lines of about 50 bytes.
    static let rollUpload: ByteCount = "16mb"
    /// A monitoring visit carries up to three photos.
    static let visitUpload: ByteCount = "7mb"

    /// The limit for this request. Large uploads are taken in only from someone who may make them: a city's
    /// pabulib file from staff who may run rounds, photos from someone signed in; everybody else gets the form limit.
    static func limit(for request: Request) -> ByteCount {
        let path = request.url.path
        guard request.actor.isSignedIn else { return form }
        if path == "/rounds/import" || (path.hasPrefix("/rounds/") && path.hasSuffix("/rule/compare")) { return Policy.allowsSomewhere(request.actor, .manageBudgetRound) ? pabulibUpload : form }
        if path.hasPrefix("/applications/") && path.hasSuffix("/visits") { return visitUpload }
        if path.hasPrefix("/territories/") && path.hasSuffix("/roll") {
            return Policy.allowsSomewhere(request.actor, .manageResidentRoll) ? rollUpload : form
        }
        return uploadPaths.contains(path) ? upload : form
    }
}
