import ERPKernel
import Logging
import Prometheus

/// The cache port as the services see it: the in-process cache (L1) in front of Redis (L2) when
/// one is configured, with every lookup counted by tier and result
/// (`cache_lookups_total{cache="shared"}`), so the hit rate can be read off `/metrics`.
///
/// Redis is shared by every process; the L1 is not. A delete reaches Redis at once and this
/// process's L1, and the L1 of other processes within `l1Lifetime`: an entry is kept there no
/// longer. While Redis cannot be reached the cache runs on L1 alone (a miss is always
/// survivable) and counts the failures as `result="error"`.
public final class TieredCache: Cache {
    private let local: InProcessCache
    private let redis: RedisClient?
    private let prefix: String
    private let l1Lifetime: Int
    private let l1, l2: CacheLookups

    /// - Parameter l1LifetimeMilliseconds: the longest an entry stays in L1 when Redis is behind it.
    public init(local: InProcessCache, redis: RedisClient?, metrics: MetricsRegistry, l1LifetimeMilliseconds: Int = 5_000) {
        self.local = local
        self.redis = redis
        prefix = (redis?.configuration.keyPrefix ?? "") + "cache:"
        l1Lifetime = l1LifetimeMilliseconds
        l1 = CacheLookups(metrics, cache: "shared", tier: "l1")
        l2 = CacheLookups(metrics, cache: "shared", tier: "l2")
    }

    public func get(_ key: String) async -> [UInt8]? {
        if let value = await local.get(key) {
            l1.hit()
            return value
        }
        l1.miss()
        guard let redis else { return nil }
        do {
            guard let value = try await redis.get(prefix + key) else {
                l2.miss()
                return nil
            }
            l2.hit()
            await local.set(key, value: value, ttlMilliseconds: l1Lifetime)
            return value
        } catch {
            l2.error()
            return nil
        }
    }

    public func set(_ key: String, value: [UInt8], ttlMilliseconds: Int) async {
        guard let redis else { return await local.set(key, value: value, ttlMilliseconds: ttlMilliseconds) }
        await local.set(key, value: value, ttlMilliseconds: min(ttlMilliseconds, l1Lifetime))
        do {
            try await redis.set(prefix + key, value, expireMilliseconds: max(ttlMilliseconds, 1))
        } catch {
            l2.error()
        }
    }

    /// A delete that cannot reach Redis leaves its entry there until it expires (at most the
    /// lifetime it was stored with); the failure is counted.
    public func delete(_ key: String) async {
        await local.delete(key)
        guard let redis else { return }
        do {
            _ = try await redis.delete([prefix + key])
        } catch {
            l2.error()
        }
    }
}
