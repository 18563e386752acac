import ERPKernel
import Platform
import Synchronization

/// Decoded master data (articles, batches, partners, storage locations) by tenant and ID, so a
/// posting does not read and decode the same records again for every transaction.
///
/// Only this service writes these tables, and every write calls `invalidate` after its commit.
/// A read that began before an invalidation may not fill the cache (`generation`), so a record
/// changed meanwhile is never cached in its old form. When other processes of the service may
/// write the same database (split mode), their changes do not reach this cache: an entry then
/// lives at most `lifetime`. Lookups are counted on `/metrics` as
/// `cache_lookups_total{cache="master-data"}`.
final class MasterDataCache: Sendable {
    struct Key: Hashable, Sendable {
        let tenant: TenantID
        let id: EntityID
    }

    enum Record: Sendable {
        case article(Article), batch(Batch), partner(Partner), location

        init?(_ value: some Sendable) {
            switch value {
            case let article as Article: self = .article(article)
            case let batch as Batch: self = .batch(batch)
            case let partner as Partner: self = .partner(partner)
            default: return nil
            }
        }

        var value: (any Sendable)? {
            switch self {
            case .article(let article): article
            case .batch(let batch): batch
            case .partner(let partner): partner
            case .location: nil
            }
        }
    }

    private struct State {
        var records: [Key: (record: Record, filledAt: ContinuousClock.Instant)] = [:]
        var generation = 0
    }

    private let state = Mutex(State())
    private let lookups: CacheLookups
    private let lifetime: Duration?
    /// More entries than this and the cache starts over; a miss only costs a read.
    static let capacity = 50_000

    /// - Parameter lifetime: how long an entry may be used; nil when this process alone writes
    ///   the database.
    init(metrics: MetricsRegistry, lifetime: Duration?) {
        lookups = CacheLookups(metrics, cache: "master-data", tier: "l1")
        self.lifetime = lifetime
    }

    var generation: Int { state.withLock { $0.generation } }

    func record(_ tenant: TenantID, _ id: EntityID) -> Record? {
        let key = Key(tenant: tenant, id: id)
        let record = state.withLock { state -> Record? in
            guard let entry = state.records[key] else { return nil }
            if let lifetime, ContinuousClock.now - entry.filledAt > lifetime {
                state.records[key] = nil
                return nil
            }
            return entry.record
        }
        record == nil ? lookups.miss() : lookups.hit()
        return record
    }

    /// Stores records read under `generation`; dropped if something changed since.
    func fill(_ records: [Key: Record], readAt generation: Int) {
        state.withLock { state in
            guard state.generation == generation else { return }
            if state.records.count + records.count > Self.capacity { state.records.removeAll(keepingCapacity: true) }
            let now = ContinuousClock.now
            for (key, record) in records { state.records[key] = (record, now) }
        }
    }

    func invalidate(_ tenant: TenantID, _ id: EntityID) {
        state.withLock { state in
            state.generation += 1
            state.records[Key(tenant: tenant, id: id)] = nil
        }
    }
}
