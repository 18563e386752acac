import Foundation
import HummingbirdTesting
import Testing

/// Articles, batches and partners read by ID come from the transactions service's cache, and
/// the article from the gateway's in front of it; a change empties both at once.
@Suite struct MasterDataCacheTests {
    @Test func aChangedArticleIsReadBackChangedAndRepeatedReadsAreCountedAsHits() async throws {
        try await IdentityWorld.with { client, _ in
            let trade = try await Trade.setUp(client, token: try await client.tokens("admin@nord.example").access_token)
            let before = try await Self.lookups(client, cache: "master-data")
            let gatewayBefore = try await Self.lookups(client, cache: "gateway")
            for _ in 0..<3 { #expect(try await trade.get("/api/v1/articles/\(trade.seed)")["name"] as? String == "Winterweizen Tobak Z-Saatgut") }
            let changed = try await trade.send(.patch, "/api/v1/articles/\(trade.seed)", #"{"name": "Winterweizen Tobak, gebeizt"}"#)
            #expect(changed.status == .ok, "\(changed.text)")
            let after = try await trade.get("/api/v1/articles/\(trade.seed)")
            #expect(after["name"] as? String == "Winterweizen Tobak, gebeizt")
            #expect(after["version"] as? Int == 2)
            let counted = try await Self.lookups(client, cache: "master-data")
            let gateway = try await Self.lookups(client, cache: "gateway")
            // The gateway answers the second and third read; the service reads the article for the
            // change (a hit) and empties its entry, the gateway drops its own; the last read misses both.
            #expect(gateway["hit", default: 0] - gatewayBefore["hit", default: 0] == 2)
            #expect(gateway["miss", default: 0] - gatewayBefore["miss", default: 0] == 2)
            #expect(counted["hit", default: 0] - before["hit", default: 0] == 1)
            #expect(counted["miss", default: 0] - before["miss", default: 0] == 2)
        }
    }

    /// `cache_lookups_total{cache=…}` by result, from /metrics.
    static func lookups(_ client: any TestClientProtocol, cache: String) async throws -> [String: Int] {
        let text = try await client.execute(uri: "/metrics", method: .get).text
        var counts: [String: Int] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("cache_lookups_total{") && line.contains(#"cache="\#(cache)""#) {
            guard let result = line.firstMatch(of: /result="(\w+)"/)?.1, let value = Int(line.split(separator: " ").last ?? "") else { continue }
            counts[String(result)] = value
        }
        return counts
    }
}
