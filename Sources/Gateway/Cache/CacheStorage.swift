import ERPKernel
import HTTPTypes
import NIOCore

/// The entries of the gateway's response cache, indexed so that every operation costs a
/// constant: by key for lookups, by tenant and collection for invalidation (a write drops one
/// bucket, never scans the cache), and in storage order for eviction (the oldest goes first).
struct CacheStorage {
    struct Entry: Sendable {
        var headers: HTTPFields
        var body: ByteBuffer
        var storedAt: ContinuousClock.Instant
        var expiresAt: ContinuousClock.Instant
        /// The bucket: tenant (or `-` for anonymous answers) and collection.
        var bucket: Bucket
    }

    struct Bucket: Hashable {
        var tenant: TenantID?
        /// `/api/v1/articles`.
        var collection: String
    }

    private(set) var entries: [String: Entry] = [:]
    private var buckets: [Bucket: Set<String>] = [:]
    /// Keys in storage order; a key replaced or removed since is skipped when its turn comes.
    private var order = CircularBuffer<(key: String, storedAt: ContinuousClock.Instant)>()
    /// The bodies' bytes.
    private(set) var bytes = 0

    /// The live entry under `key`; an expired one is dropped.
    mutating func entry(_ key: String, now: ContinuousClock.Instant) -> Entry? {
        guard let entry = entries[key] else { return nil }
        guard entry.expiresAt > now else {
            remove(key)
            return nil
        }
        return entry
    }

    /// Stores `entry`, first dropping the oldest entries until it fits the bounds.
    mutating func insert(_ entry: Entry, under key: String, maximumEntries: Int, maximumBytes: Int) {
        remove(key)
        while entries.count >= maximumEntries || bytes + entry.body.readableBytes > maximumBytes, let oldest = order.popFirst() {
            if entries[oldest.key]?.storedAt == oldest.storedAt { remove(oldest.key) }
        }
        entries[key] = entry
        buckets[entry.bucket, default: []].insert(key)
        order.append((key, entry.storedAt))
        bytes += entry.body.readableBytes
        // Replaced and removed keys leave stale places behind; a bound keeps the queue small.
        if order.count > 2 * max(maximumEntries, 16) { compactOrder() }
    }

    mutating func remove(_ key: String) {
        guard let gone = entries.removeValue(forKey: key) else { return }
        bytes -= gone.body.readableBytes
        buckets[gone.bucket]?.remove(key)
        if buckets[gone.bucket]?.isEmpty == true { buckets[gone.bucket] = nil }
    }

    /// Drops a tenant's entries of one collection; with `tenant` nil, every tenant's and the anonymous ones.
    mutating func removeAll(tenant: TenantID?, collection: String) {
        let matching = tenant.map { [Bucket(tenant: $0, collection: collection)] } ?? buckets.keys.filter { $0.collection == collection }
        for bucket in matching {
            for key in buckets[bucket] ?? [] { remove(key) }
        }
    }

    private mutating func compactOrder() {
        var kept = CircularBuffer<(key: String, storedAt: ContinuousClock.Instant)>(initialCapacity: entries.count)
        for place in order where entries[place.key]?.storedAt == place.storedAt { kept.append(place) }
        order = kept
    }
}
