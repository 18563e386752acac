import ERPKernel
import Synchronization

/// Decoded master data (articles, batches, partners, storage locations) by tenant and ID, so a
/// posting does not read and decode the same records again for every transaction.
///
/// Only this service writes these tables, and every write calls `invalidate` after its commit.
/// A read that began before an invalidation may not fill the cache (`generation`), so a record
/// changed meanwhile is never cached in its old form.
final class MasterDataCache: Sendable {
    struct Key: Hashable, Sendable {
        let tenant: TenantID
        let id: EntityID
    }

    enum Record: Sendable {
        case article(Article), batch(Batch), partner(Partner), location
    }

    private struct State {
        var records: [Key: Record] = [:]
        var generation = 0
    }

    private let state = Mutex(State())
    /// More entries than this and the cache starts over; a miss only costs a read.
    static let capacity = 50_000

    var generation: Int { state.withLock { $0.generation } }

    func record(_ tenant: TenantID, _ id: EntityID) -> Record? {
        state.withLock { $0.records[Key(tenant: tenant, id: id)] }
    }

    /// Stores records read under `generation`; dropped if something changed since.
    func fill(_ records: [Key: Record], readAt generation: Int) {
        state.withLock { state in
            guard state.generation == generation else { return }
            if state.records.count + records.count > Self.capacity { state.records.removeAll(keepingCapacity: true) }
            state.records.merge(records) { _, new in new }
        }
    }

    func invalidate(_ tenant: TenantID, _ id: EntityID) {
        state.withLock { state in
            state.generation += 1
            state.records[Key(tenant: tenant, id: id)] = nil
        }
    }
}
