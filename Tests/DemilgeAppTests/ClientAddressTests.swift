@testable import DemilgeApp
import Testing

@Suite("The client's address behind a trusted proxy")
struct ClientAddressTests {
    static let nginx: Set<String> = TrustedProxies.parse("127.0.0.1, ::1")

    @Test("X-Forwarded-For counts only from a trusted proxy, and only its last hop")
    func forwardedFor() {
        #expect(Self.nginx == ["127.0.0.1", "::1"])
        #expect(TrustedProxies.client(peer: "127.0.0.1", forwardedFor: "203.0.113.9", trusted: Self.nginx) == "203.0.113.9")
        #expect(TrustedProxies.client(peer: "::1", forwardedFor: "1.2.3.4, 203.0.113.9", trusted: Self.nginx) == "203.0.113.9",
                "what the client wrote before the proxy's hop is ignored")
        #expect(TrustedProxies.client(peer: "198.51.100.7", forwardedFor: "203.0.113.9", trusted: Self.nginx) == "198.51.100.7",
                "from anyone else the header is ignored")
        #expect(TrustedProxies.client(peer: "127.0.0.1", forwardedFor: "not-an-address", trusted: Self.nginx) == "127.0.0.1")
        #expect(TrustedProxies.client(peer: "127.0.0.1", forwardedFor: nil, trusted: Self.nginx) == "127.0.0.1")
        #expect(TrustedProxies.client(peer: "127.0.0.1", forwardedFor: "203.0.113.9", trusted: []) == "127.0.0.1", "nothing trusted unless set")
        #expect(TrustedProxies.client(peer: nil, forwardedFor: "203.0.113.9", trusted: Self.nginx) == "unknown")
    }
}
