import Crypto
import Leaf
import NIOCore
import Vapor

/// The files under `Public/` (styles, scripts, images), read once at start and served from memory: no file is
/// opened per request. Pages link them with a version (`#asset("/css/demilge.css")` gives `…?v=<hash>`), and a
/// versioned address is cached for a year; the bare address for an hour, and `If-None-Match` answers 304.
struct StaticAssets: Sendable {
    struct Asset: Sendable {
        let body: ByteBuffer
        let contentType: HTTPMediaType
        let version: String
        var etag: String { "\"\(version)\"" }
    }

    static let prefixes = ["/css/", "/js/", "/img/"]
    let assets: [String: Asset]

    static func load(from directory: String) -> StaticAssets {
        var assets: [String: Asset] = [:]
        let root = URL(fileURLWithPath: directory, isDirectory: true).standardizedFileURL
        let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])
        while let url = files?.nextObject() as? URL {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true,
                  let data = try? Data(contentsOf: url) else { continue }
            let path = "/" + url.standardizedFileURL.path.dropFirst(root.path.count).drop(while: { $0 == "/" })
            guard prefixes.contains(where: path.hasPrefix) else { continue }
            let digest = SHA256.hash(data: data).prefix(8).map { byte in Hex.pair(byte) }.joined()
            assets[path] = Asset(body: ByteBuffer(data: data), contentType: HTTPMediaType.fileExtension(url.pathExtension) ?? .binary,
                                 version: digest)
        }
        return StaticAssets(assets: assets)
    }

    /// The address to link: with its version when the file exists.
    func versioned(_ path: String) -> String {
        assets[path].map { "\(path)?v=\($0.version)" } ?? path
    }

    func response(for request: Request) -> Response? {
        guard request.method == .GET || request.method == .HEAD, let asset = assets[request.url.path] else { return nil }
        var headers = HTTPHeaders()
        headers.contentType = asset.contentType
        headers.replaceOrAdd(name: .eTag, value: asset.etag)
        let pinned = request.query[String.self, at: "v"] == asset.version
        headers.replaceOrAdd(name: .cacheControl, value: pinned ? "public, max-age=31536000, immutable" : "public, max-age=3600")
        let sent = request.headers[.ifNoneMatch].flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        if sent.contains(asset.etag) || sent.contains("W/" + asset.etag) { return Response(status: .notModified, headers: headers) }
        return Response(status: .ok, headers: headers, body: .init(buffer: asset.body))
    }
}

enum Hex {
    private static let digits = Array("0123456789abcdef")
    static func pair(_ byte: UInt8) -> String { String([digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]]) }
    static func string(_ bytes: some Sequence<UInt8>) -> String { bytes.map(pair).joined() }
}

/// Serves `StaticAssets` before any route: any other address goes on to the routes.
struct StaticFilesMiddleware: AsyncMiddleware {
    let assets: StaticAssets

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if let response = assets.response(for: request) { return response }
        return try await next.respond(to: request)
    }
}

/// `#asset("/css/demilge.css")`: a file under `Public/` with its version, so that a changed file is fetched anew.
struct AssetTag: LeafTag {
    let assets: StaticAssets

    func render(_ ctx: LeafContext) throws -> LeafData {
        guard ctx.parameters.count == 1, let path = ctx.parameters[0].string else { throw "#asset needs a path" }
        return .string(assets.versioned(path))
    }
}
