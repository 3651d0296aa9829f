import Vapor

/// How much a request body may carry: forms are small; only file uploads get more.
enum BodyLimits {
    static let form: ByteCount = "256kb"
    static let upload: ByteCount = "2mb"
    static let uploadPaths: Set<String> = ["/admin/territories/import", "/problems"]
    /// A city's pabulib file with all its ballots (Łódź 2022 is about 4 MB).
    static let pabulibUpload: ByteCount = "24mb"
    /// A monitoring visit carries up to three photos.
    static let visitUpload: ByteCount = "7mb"

    static func limit(for request: Request) -> ByteCount {
        if request.url.path == "/rounds/import" { return pabulibUpload }
        if request.url.path.hasPrefix("/applications/") && request.url.path.hasSuffix("/visits") { return visitUpload }
        return uploadPaths.contains(request.url.path) ? upload : form
    }
}
