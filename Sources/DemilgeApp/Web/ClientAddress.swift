import NIOCore
import Vapor

/// The address a request came from, for rate limits: the peer, or, when the peer is a trusted proxy
/// (`DEMILGE_TRUSTED_PROXIES`, addresses separated by commas or spaces, e.g. `127.0.0.1,::1` for nginx on the
/// same machine), the last address that proxy put in `X-Forwarded-For`. From anyone else the header is ignored:
/// whoever sends a request chooses its headers.
enum TrustedProxies {
    static let environmentName = "DEMILGE_TRUSTED_PROXIES"
    static let configured: Set<String> = parse(Environment.get(environmentName) ?? "")

    static func parse(_ text: String) -> Set<String> {
        Set(text.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init).filter { !$0.isEmpty })
    }

    static func client(peer: String?, forwardedFor: String?, trusted: Set<String>) -> String {
        guard let peer else { return "unknown" }
        guard trusted.contains(peer), let forwardedFor else { return peer }
        let hops = forwardedFor.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        // The nearest hop the proxy saw; earlier ones are whatever the client wrote.
        guard let last = hops.last, last.count <= 45, (try? SocketAddress(ipAddress: last, port: 0)) != nil else { return peer }
        return last
    }
}

extension Request {
    var clientAddress: String {
        // Every X-Forwarded-For line, in order: a proxy that adds a line of its own puts it last.
        TrustedProxies.client(peer: remoteAddress?.ipAddress, forwardedFor: headers[.xForwardedFor].joined(separator: ","),
                              trusted: TrustedProxies.configured)
    }
}
