import Foundation
import HummingbirdTesting
import Testing

/// Articles, batches and partners read by ID come from the transactions service's cache, which
/// a change empties at once.
@Suite struct MasterDataCacheTests {
    @Test func aChangedArticleIsReadBackChangedAndRepeatedReadsAreCountedAsHits() async throws {
        try await IdentityWorld.with { client, _ in
            let trade = try await Trade.setUp(client, token: try await client.tokens("admin@nord.example").access_token)
            let before = try await Self.masterDataLookups(client)
            for _ in 0..<3 { #expect(try await trade.get("/api/v1/articles/\(trade.seed)")["name"] as? String == "Winterweizen Tobak Z-Saatgut") }
            let changed = try await trade.send(.patch, "/api/v1/articles/\(trade.seed)", #"{"name": "Winterweizen Tobak, gebeizt"}"#)
            #expect(changed.status == .ok, "\(changed.text)")
            let after = try await trade.get("/api/v1/articles/\(trade.seed)")
            #expect(after["name"] as? String == "Winterweizen Tobak, gebeizt")
            #expect(after["version"] as? Int == 2)
            let counted = try await Self.masterDataLookups(client)
            // Read, hit, hit; the change reads once more (hit) and empties the entry; the last read misses.
            #expect(counted["hit", default: 0] - before["hit", default: 0] == 3)
            #expect(counted["miss", default: 0] - before["miss", default: 0] == 2)
        }
    }

    /// `cache_lookups_total{cache="master-data"}` by result, from /metrics.
    static func masterDataLookups(_ client: any TestClientProtocol) async throws -> [String: Int] {
        let text = try await client.execute(uri: "/metrics", method: .get).text
        var counts: [String: Int] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("cache_lookups_total{") && line.contains(#"cache="master-data""#) {
            guard let result = line.firstMatch(of: /result="(\w+)"/)?.1, let value = Int(line.split(separator: " ").last ?? "") else { continue }
            counts[String(result)] = value
        }
        return counts
    }
}
