import Prometheus

/// The lookups of one tier of one cache, counted on `/metrics` as
/// `cache_lookups_total{cache, tier, result}`, so a hit rate can be read off per cache:
/// hits at any tier over the lookups of its first tier.
public struct CacheLookups: Sendable {
    private let hits, misses, errors: Counter

    /// - Parameters: `cache` names the cache ("shared" for the cache port); `tier` is "l1"
    ///   (in-process) or "l2" (Redis).
    public init(_ metrics: MetricsRegistry, cache: String, tier: String) {
        func counter(_ result: String) -> Counter {
            metrics.counter(
                "cache_lookups_total", labels: [("cache", cache), ("tier", tier), ("result", result)],
                help: "Cache lookups by cache, tier (l1 in-process, l2 Redis) and result (hit, miss, error).")
        }
        hits = counter("hit")
        misses = counter("miss")
        errors = counter("error")
    }

    public func hit() { hits.increment() }
    public func miss() { misses.increment() }
    public func error() { errors.increment() }
}
