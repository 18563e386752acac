import ERPKernel
import Foundation
@testable import Platform
import Synchronization
import Testing

@Suite(.enabled(if: TestRedis.url != nil, "set NEUROERP_TEST_REDIS_URL to run against a real Redis"))
struct RedisRateLimitStoreTests {
    /// Two clients under one key prefix: two processes sharing one Redis.
    private func withTwoProcesses(_ body: (RedisRateLimitStore, RedisRateLimitStore) async throws -> Void) async throws {
        try await TestRedis.withClient { cleanup, prefix in
            var configuration = try TestRedis.configuration()
            configuration.keyPrefix = prefix
            let one = RedisClient(configuration: configuration, logger: TestRedis.logger)
            let other = RedisClient(configuration: configuration, logger: TestRedis.logger)
            do {
                try await body(RedisRateLimitStore(client: one), RedisRateLimitStore(client: other))
            } catch {
                await one.close()
                await other.close()
                throw error
            }
            await one.close()
            await other.close()
        }
    }

    @Test func processesShareOneCount() async throws {
        try await withTwoProcesses { one, other in
            let limit = [RateLimit(key: "login:account:a@x.de", limit: 3)]
            let firstHit = ContinuousClock.now
            try await one.hit(["login:account:a@x.de"], window: .seconds(60))
            try await other.hit(["login:account:a@x.de"], window: .seconds(60))
            #expect(try await one.wait(for: limit, window: .seconds(60)) == nil)
            try await one.hit(["login:account:a@x.de"], window: .seconds(60))
            let wait = try #require(try await other.wait(for: limit, window: .seconds(60)))
            // The oldest hit leaves the window 60 s after it was counted; a loaded machine may
            // take a few of them to get here.
            #expect(wait > .seconds(59) - (ContinuousClock.now - firstHit) && wait <= .seconds(60))
            try await other.reset("login:account:a@x.de")
            #expect(try await one.wait(for: limit, window: .seconds(60)) == nil)
        }
    }

    @Test func concurrentHitsAreAllCounted() async throws {
        try await withTwoProcesses { one, other in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for n in 0..<100 { group.addTask { try await (n % 2 == 0 ? one : other).hit(["k"], window: .seconds(60)) } }
                try await group.waitForAll()
            }
            #expect(try await one.wait(for: [RateLimit(key: "k", limit: 100)], window: .seconds(60)) != nil)
            #expect(try await one.wait(for: [RateLimit(key: "k", limit: 101)], window: .seconds(60)) == nil)
        }
    }

    @Test func gatewayReplicasShareOneBudget() async throws {
        try await withTwoProcesses { one, other in
            let limit = RateLimit(key: "gateway:0:address:127.0.0.1", limit: 5)
            let started = ContinuousClock.now
            var allowed = 0
            for n in 0..<8 where try await (n % 2 == 0 ? one : other).acquire(limit, window: .seconds(60)).allowed { allowed += 1 }
            #expect(allowed == 5)
            let refused = try await one.acquire(limit, window: .seconds(60))
            #expect(!refused.allowed && refused.remaining == 0)
            // One event every 12 s, counted from the first of the five (a loaded machine may
            // take a while to get here).
            #expect(refused.retryAfter > .seconds(12) - (ContinuousClock.now - started) && refused.retryAfter <= .seconds(12))
            try await other.reset(limit.key)
            #expect(try await one.acquire(limit, window: .seconds(60)) == RateLimitDecision(
                allowed: true, remaining: 4, reset: .seconds(12), retryAfter: .zero))
        }
    }

    @Test func eventsLeaveTheWindow() async throws {
        try await withTwoProcesses { one, _ in
            let window = Duration.seconds(2)
            // Redis stamps the hit somewhere between these two instants, by its own clock.
            let before = ContinuousClock.now
            try await one.hit(["k"], window: window)
            let after = ContinuousClock.now
            let waitInside = try await one.wait(for: [RateLimit(key: "k", limit: 1)], window: window)
            // A loaded machine may take longer than the window between the two calls.
            if ContinuousClock.now - before < window - .milliseconds(100) { #expect(waitInside != nil) }
            try await Task.sleep(until: after + window + .milliseconds(200))
            #expect(try await one.wait(for: [RateLimit(key: "k", limit: 1)], window: window) == nil)
        }
    }
}

@Suite struct GuardedRateLimitStoreTests {
    /// A Redis nobody listens on: every operation fails at once.
    private func unreachable() throws -> RedisRateLimitStore {
        var configuration = try RedisConfiguration(url: "redis://127.0.0.1:1?connect_timeout_ms=200&timeout_ms=200")
        configuration.keyPrefix = "unreachable:"
        return RedisRateLimitStore(client: RedisClient(configuration: configuration, logger: TestRedis.logger))
    }

    @Test func anOpenLimitLetsEverythingThroughWhileTheStoreIsAway() async throws {
        let limits = GuardedRateLimitStore(try unreachable(), failure: .open, logger: TestRedis.logger)
        await limits.hit(["k"], window: .seconds(60))
        #expect(await limits.wait(for: [RateLimit(key: "k", limit: 1)], window: .seconds(60)) == nil)
        #expect(limits.failureCount == 2)
    }

    @Test func aClosedLimitRefusesEverythingWhileTheStoreIsAway() async throws {
        let limits = GuardedRateLimitStore(try unreachable(), failure: .closed, logger: TestRedis.logger)
        #expect(await limits.wait(for: [RateLimit(key: "k", limit: 1_000)], window: .seconds(60)) == GuardedRateLimitStore.closedWait)
    }

    @Test func aClosedLimitRefusesRequestsWhileTheStoreIsAwayAndAnOpenOneLetsThemThrough() async throws {
        let closed = GuardedRateLimitStore(try unreachable(), failure: .closed, logger: TestRedis.logger)
        #expect(await closed.acquire(RateLimit(key: "k", limit: 1_000), window: .seconds(60)).allowed == false)
        let open = GuardedRateLimitStore(try unreachable(), failure: .open, logger: TestRedis.logger)
        #expect(await open.acquire(RateLimit(key: "k", limit: 1), window: .seconds(60)).allowed)
    }

    @Test func theInProcessStoreTakesTheBurstThenRefillsByItsClock() async {
        let clock = TestClock()
        let store = InProcessRateLimitStore(now: { clock.now })
        let limit = RateLimit(key: "k", limit: 3)
        for _ in 0..<3 { #expect(await store.acquire(limit, window: .seconds(30)).allowed) }
        #expect(await store.acquire(limit, window: .seconds(30)).retryAfter == .seconds(10))
        clock.advance(.seconds(10))
        #expect(await store.acquire(limit, window: .seconds(30)).allowed)
        #expect(await store.acquire(limit, window: .seconds(30)).allowed == false)
    }

    @Test func theInProcessStoreForgetsTheLeastRecentlyHitKeyFirst() async {
        let store = InProcessRateLimitStore(maximumKeys: 10)
        for n in 0..<1_000 { await store.hit(["user\(n)"], window: .seconds(60)) }
        #expect(await store.wait(for: [RateLimit(key: "user0", limit: 1)], window: .seconds(60)) == nil)  // forgotten
        #expect(await store.wait(for: [RateLimit(key: "user999", limit: 1)], window: .seconds(60)) != nil)  // still counted
    }
}

/// A clock the test moves by hand.
final class TestClock: Sendable {
    private let current = Mutex(ContinuousClock.now)
    var now: ContinuousClock.Instant { current.withLock { $0 } }
    func advance(_ duration: Duration) { current.withLock { $0 += duration } }
}
