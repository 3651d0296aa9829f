import Crypto
import DemilgeCore
import NIOConcurrencyHelpers
import NIOCore
import Vapor

/// Public pages as a visitor without an account sees them, kept rendered (and gzipped) in memory while the data
/// they were made from is current: a crawler or a link in the national news costs one rendering per page and data
/// version, not one per reader.
///
/// - A page is kept per address and language, only for a request with no session cookie and only when it came back
///   `200` without setting a cookie, `no-store` or a streamed body: nothing personal is ever kept.
/// - It is current while `DataVersion` has not moved since it was made, and at most `lifetime` (what depends on the
///   day, such as the days left to vote, moves on without a write).
/// - While a page is being made again after a change, other readers get the previous one instead of waiting (if it
///   is not older than `staleLimit`); readers of a page that was never made wait for the one rendering. So a reader
///   who asks after a write has committed on this instance, when no one else is asking, gets a page made after it
///   (another instance's writes count within `DataVersion.interval`).
/// - Memory is bounded (`capacity` bytes in all, `largest` per page); the least recently read pages go first.
final class PageCache: Sendable {
    struct Key: Hashable, Sendable {
        let language: Language
        let address: String
        /// The visitor's place (`placeCookie`) on the home page, which shows what is open there; empty elsewhere.
        var place = ""
    }

    struct Page: Sendable {
        let stamp: DataVersion.Stamp
        let madeAt: NIODeadline
        let headers: HTTPHeaders
        let body: ByteBuffer
        let gzipped: ByteBuffer?
        let etag: String

        var bytes: Int { body.readableBytes + (gzipped?.readableBytes ?? 0) + 512 }
    }

    enum Lookup {
        case hit(Page)
        /// Wait for the rendering under way; nil from it means it could not be kept: render your own.
        case wait(EventLoopFuture<Page?>)
        /// Render it, then `finish` with the promise.
        case render(EventLoopPromise<Page?>)
    }

    private struct Slot {
        var page: Page?
        var lastRead: UInt64
        var rendering: EventLoopFuture<Page?>?
    }

    private struct State {
        var slots: [Key: Slot] = [:]
        var bytes = 0
        var clock: UInt64 = 0
        var hits = 0
        var renders = 0
    }

    let capacity: Int
    let largest: Int
    let lifetime: TimeAmount
    static let staleLimit: TimeAmount = .seconds(120)
    private let state = NIOLockedValueBox(State())

    init(capacity: Int = 48 << 20, largest: Int = 2 << 20, lifetime: TimeAmount = .seconds(60)) {
        self.capacity = capacity
        self.largest = largest
        self.lifetime = lifetime
    }

    /// Pages kept, their bytes, pages served as kept, renderings started.
    var statistics: (pages: Int, bytes: Int, hits: Int, renders: Int) {
        state.withLockedValue { ($0.slots.count, $0.bytes, $0.hits, $0.renders) }
    }

    func lookup(_ key: Key, at stamp: DataVersion.Stamp, on loop: any EventLoop) -> Lookup {
        let now = NIODeadline.now()
        return state.withLockedValue { state in
            state.clock &+= 1
            let clock = state.clock
            var slot = state.slots[key] ?? Slot(page: nil, lastRead: clock, rendering: nil)
            slot.lastRead = clock
            defer { state.slots[key] = slot }
            if let page = slot.page, page.stamp == stamp, now - page.madeAt < lifetime {
                state.hits += 1
                return .hit(page)
            }
            if let rendering = slot.rendering {
                if let page = slot.page, now - page.madeAt < Self.staleLimit {
                    state.hits += 1
                    return .hit(page)
                }
                return .wait(rendering)
            }
            state.renders += 1
            let promise = loop.makePromise(of: Page?.self)
            slot.rendering = promise.futureResult
            return .render(promise)
        }
    }

    /// Ends a rendering started by `lookup`: keeps `page` (if any) and hands it to those who waited.
    func finish(_ key: Key, _ page: Page?, _ promise: EventLoopPromise<Page?>) {
        let kept = page.flatMap { $0.bytes <= largest ? $0 : nil }
        state.withLockedValue { state in
            guard var slot = state.slots[key] else { return }
            slot.rendering = nil
            if let kept {
                state.bytes += kept.bytes - (slot.page?.bytes ?? 0)
                slot.page = kept
            }
            state.slots[key] = slot
            if state.bytes > capacity { evict(&state) }
        }
        promise.succeed(kept)
    }

    /// Down to three quarters of the capacity, least recently read first (so eviction is rare, not per insert).
    private func evict(_ state: inout State) {
        let victims = state.slots.filter { $0.value.rendering == nil }.sorted { $0.value.lastRead < $1.value.lastRead }
        for (key, slot) in victims where state.bytes > capacity * 3 / 4 {
            state.bytes -= slot.page?.bytes ?? 0
            state.slots[key] = nil
        }
    }

    /// Slots that only remember a read (no page, no rendering) are dropped as they go: a crawler's misses of
    /// uncacheable addresses must not grow the table.
    func forget(_ key: Key) {
        state.withLockedValue { state in
            if let slot = state.slots[key], slot.page == nil, slot.rendering == nil { state.slots[key] = nil }
        }
    }
}

extension PageCache.Page {
    /// What a response carries when it may be kept; nil when it may not.
    static func from(_ response: Response, stamp: DataVersion.Stamp) -> PageCache.Page? {
        guard response.status == .ok, !response.headers.contains(name: .setCookie),
              !(response.headers.first(name: .cacheControl) ?? "").contains("no-store"),
              response.headers.first(name: .contentEncoding) == nil,
              let body = response.body.buffer else { return nil }
        var headers = response.headers
        for name in [HTTPHeaders.Name.eTag, .contentLength, .date, .xRequestId, .cacheControl] { headers.remove(name: name) }
        let digest = SHA256.hash(data: body.readableBytesView)
        let compressible = ["text/", "application/json", "application/xml", "application/atom+xml", "image/svg"]
            .contains { (headers.first(name: .contentType) ?? "").hasPrefix($0) }
        return PageCache.Page(stamp: stamp, madeAt: .now(), headers: headers, body: body,
                              gzipped: compressible && body.readableBytes > 256 ? Gzip.compress(body) : nil,
                              etag: "W/\"" + Hex.string(digest.prefix(16)) + "\"")
    }

    /// The page for one reader: gzipped if they accept it, `304` if they already hold it.
    func response(for request: Request) -> Response {
        var headers = self.headers
        headers.replaceOrAdd(name: .eTag, value: etag)
        // Any cache may keep it, but must ask again before showing it: a change shows at once.
        headers.replaceOrAdd(name: .cacheControl, value: "public, no-cache")
        headers.responseCompression = .disable
        if gzipped != nil { headers.replaceOrAdd(name: .vary, value: (headers.first(name: .vary).map { $0 + ", " } ?? "") + "Accept-Encoding") }
        let sent = request.headers[.ifNoneMatch].flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        if sent.contains(etag) || sent.contains("*") { return Response(status: .notModified, headers: headers) }
        if let gzipped, Self.acceptsGzip(request) {
            headers.replaceOrAdd(name: .contentEncoding, value: "gzip")
            return Response(status: .ok, headers: headers, body: .init(buffer: gzipped))
        }
        return Response(status: .ok, headers: headers, body: .init(buffer: body))
    }

    /// `Accept-Encoding` names gzip (or `*`) without refusing it with `q=0`.
    static func acceptsGzip(_ request: Request) -> Bool {
        request.headers[.acceptEncoding].flatMap { $0.split(separator: ",") }.contains { item in
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let coding = parts.first, ["gzip", "x-gzip", "*"].contains(coding) else { return false }
            let quality = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return quality > 0
        }
    }
}

/// Serves public pages to visitors from `PageCache` (see there for what is kept and for how long).
struct PageCacheMiddleware: AsyncMiddleware {
    static let sessionCookie = "demilge_session"
    /// Where a visitor said they live: the home page differs by it, so it is part of that page's key.
    static let placeCookie = "place"

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let cache = request.application.pageCache, Self.mayUse(request) else { return try await next.respond(to: request) }
        let key = PageCache.Key(language: request.language, address: request.url.string,
                                place: request.url.path == "/" ? String((request.cookies[Self.placeCookie]?.string ?? "").prefix(100)) : "")
        let stamp = request.application.dataVersion.current
        switch cache.lookup(key, at: stamp, on: request.eventLoop) {
        case .hit(let page):
            return page.response(for: request)
        case .wait(let rendering):
            if let page = try await rendering.get() { return page.response(for: request) }
            return try await next.respond(to: request)
        case .render(let promise):
            let response: Response
            do {
                response = try await next.respond(to: request)
            } catch {
                cache.finish(key, nil, promise)
                cache.forget(key)
                throw error
            }
            guard let page = PageCache.Page.from(response, stamp: stamp) else {
                cache.finish(key, nil, promise)
                cache.forget(key)
                return response
            }
            cache.finish(key, page, promise)
            return page.response(for: request)
        }
    }

    /// A visitor's GET of a routed address, not too long to be a key.
    static func mayUse(_ request: Request) -> Bool {
        (request.method == .GET || request.method == .HEAD) && request.route != nil
            && request.cookies[sessionCookie] == nil && request.url.string.utf8.count <= 1_024
    }
}

extension Application {
    private struct PageCacheKey: StorageKey { typealias Value = PageCache }

    /// Nil when pages are not kept (`DEMILGE_PAGE_CACHE_MB=0`).
    var pageCache: PageCache? {
        get { storage[PageCacheKey.self] }
        set { storage[PageCacheKey.self] = newValue }
    }
}
