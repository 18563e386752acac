import ERPKernel
import Foundation
@testable import Platform
import Testing

@Suite struct TieredCacheTests {
    @Test func withoutRedisTheInProcessCacheServesAndEveryLookupIsCounted() async {
        let metrics = MetricsRegistry()
        let cache = TieredCache(local: InProcessCache(), redis: nil, metrics: metrics)
        #expect(await cache.get("k") == nil)
        await cache.set("k", value: [1, 2], ttlMilliseconds: 60_000)
        #expect(await cache.get("k") == [1, 2])
        #expect(await cache.get("k") == [1, 2])
        #expect(TieredCacheTestsSupport.lookups(metrics) == ["l1 hit": 2, "l1 miss": 1])
    }

    @Test func anUnreachableRedisLeavesTheInProcessCacheWorking() async throws {
        let metrics = MetricsRegistry()
        let redis = RedisClient(configuration: try RedisConfiguration(url: "redis://127.0.0.1:1?connect_timeout_ms=200&timeout_ms=200"), logger: TestRedis.logger)
        let cache = TieredCache(local: InProcessCache(), redis: redis, metrics: metrics)
        let started = ContinuousClock.now
        #expect(await cache.get("k") == nil)
        await cache.set("k", value: [7], ttlMilliseconds: 60_000)
        #expect(await cache.get("k") == [7])
        await cache.delete("k")
        #expect(await cache.get("k") == nil)
        #expect(ContinuousClock.now - started < .seconds(10))  // no hang: each step fails fast
        #expect(TieredCacheTestsSupport.lookups(metrics)["l2 error", default: 0] >= 3)
        await redis.close()
    }
}

@Suite(.enabled(if: TestRedis.url != nil, "set NEUROERP_TEST_REDIS_URL to run against a real Redis"))
struct TieredCacheRedisTests {
    @Test func processesShareTheRedisTierAndADeleteReachesTheOthersWithinTheL1Lifetime() async throws {
        try await TestRedis.withClient { _, prefix in
            var configuration = try TestRedis.configuration()
            configuration.keyPrefix = prefix
            let (redisA, redisB) = (RedisClient(configuration: configuration, logger: TestRedis.logger), RedisClient(configuration: configuration, logger: TestRedis.logger))
            let metricsB = MetricsRegistry()
            let a = TieredCache(local: InProcessCache(), redis: redisA, metrics: MetricsRegistry(), l1LifetimeMilliseconds: 5_000)
            let b = TieredCache(local: InProcessCache(), redis: redisB, metrics: metricsB, l1LifetimeMilliseconds: 5_000)
            await a.set("users:access:1", value: [1], ttlMilliseconds: 60_000)
            #expect(await b.get("users:access:1") == [1])  // from Redis
            #expect(await b.get("users:access:1") == [1])  // from its own L1
            #expect(TieredCacheTestsSupport.lookups(metricsB) == ["l1 hit": 1, "l1 miss": 1, "l2 hit": 1])
            await a.delete("users:access:1")
            #expect(await a.get("users:access:1") == nil)
            try await Task.sleep(for: .milliseconds(5_200))
            #expect(await b.get("users:access:1") == nil)
            await redisA.close()
            await redisB.close()
        }
    }
}

/// The cache lookups a registry counted, as "tier result": count.
enum TieredCacheTestsSupport {
    static func lookups(_ metrics: MetricsRegistry) -> [String: Int] {
        var counts: [String: Int] = [:]
        for line in String(decoding: metrics.scrape(), as: UTF8.self).split(separator: "\n") where line.contains("cache_lookups_total{") {
            guard let tier = line.firstMatch(of: /tier="(\w+)"/)?.1, let result = line.firstMatch(of: /result="(\w+)"/)?.1,
                let value = Int(line.split(separator: " ").last ?? ""), value > 0
            else { continue }
            counts["\(tier) \(result)"] = value
        }
        return counts
    }
}
