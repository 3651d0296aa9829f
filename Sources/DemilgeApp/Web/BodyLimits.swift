import Vapor

/// How much a request body may carry: forms are small; only file uploads get more.
enum BodyLimits {
    static let form: ByteCount = "256kb"
    static let upload: ByteCount = "2mb"
    static let uploadPaths: Set<String> = ["/admin/territories/import", "/problems"]

    static func limit(for request: Request) -> ByteCount {
        uploadPaths.contains(request.url.path) ? upload : form
    }
}
