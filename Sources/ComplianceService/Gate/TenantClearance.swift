import ERPKernel
import Synchronization

/// What the gate knows of one tenant, in memory, so that a posting asks no database.
///
/// Every entry carries the version of the row it came from and only a higher version replaces
/// it, so a snapshot read from the database and the updates of concurrent writes may arrive in
/// any order and still leave the newest state.
final class TenantClearance: Sendable {
    private struct State {
        var loaded = false
        var batches: [EntityID: (status: BatchStatus, version: Int)] = [:]
        /// Changes to a refusing status that have not landed yet: such a batch is refused at
        /// once, before its commit, so no sale slips through while the change is written.
        var pendingRefusals: [EntityID: [BatchRefusal.Reason]] = [:]
        var approvals: [String: (expiresOn: String, version: Int)] = [:]
        var links: [EntityID: String] = [:]
    }

    private let state = Mutex(State())

    var isLoaded: Bool { state.withLock(\.loaded) }

    // MARK: - Answers

    /// The refusals among `movements`, every reason of each.
    func refusals(for movements: [BatchMovement]) -> [BatchRefusal] {
        state.withLock { state in
            var refusals: [BatchRefusal] = []
            for movement in movements {
                if let pending = state.pendingRefusals[movement.batchID]?.first {
                    refusals.append(BatchRefusal(batchID: movement.batchID, reason: pending, detail: "its status is being changed to \(pending.rawValue)"))
                } else if let known = state.batches[movement.batchID] {
                    if let reason = known.status.refusal {
                        refusals.append(BatchRefusal(batchID: movement.batchID, reason: reason, detail: "quality status \(known.status.rawValue)"))
                    }
                } else {
                    refusals.append(BatchRefusal(batchID: movement.batchID, reason: .untested, detail: "not released by quality control"))
                }
                if let number = state.links[movement.articleID], let approval = state.approvals[number], approval.expiresOn < movement.date {
                    refusals.append(BatchRefusal(
                        batchID: movement.batchID, reason: .approvalExpired, detail: "PSM approval \(number) expired on \(approval.expiresOn)"))
                }
            }
            return refusals
        }
    }

    // MARK: - Updates

    /// Marks a change to `status` as in flight; call `endChange` once it committed or failed.
    func beginChange(_ batch: EntityID, to status: BatchStatus) {
        guard let reason = status.refusal else { return }
        state.withLock { $0.pendingRefusals[batch, default: []].append(reason) }
    }

    func endChange(_ batch: EntityID, to status: BatchStatus) {
        guard let reason = status.refusal else { return }
        state.withLock { state in
            guard var pending = state.pendingRefusals[batch], let index = pending.firstIndex(of: reason) else { return }
            pending.remove(at: index)
            state.pendingRefusals[batch] = pending.isEmpty ? nil : pending
        }
    }

    func apply(_ batch: EntityID, status: BatchStatus, version: Int) {
        state.withLock { state in
            if (state.batches[batch]?.version ?? -1) < version { state.batches[batch] = (status, version) }
        }
    }

    func apply(approval number: String, expiresOn: String, version: Int, articles: [EntityID]) {
        state.withLock { state in
            if (state.approvals[number]?.version ?? -1) < version { state.approvals[number] = (expiresOn, version) }
            for article in articles { state.links[article] = number }
        }
    }

    func link(_ article: EntityID, to number: String) {
        state.withLock { $0.links[article] = number }
    }

    /// Takes in what the database held; newer entries already here stay.
    func load(batches: [(EntityID, BatchStatus, Int)], expiries: [String: (String, Int)], links: [EntityID: String]) {
        state.withLock { state in
            for (batch, status, version) in batches where (state.batches[batch]?.version ?? -1) < version {
                state.batches[batch] = (status, version)
            }
            for (number, (expiresOn, version)) in expiries where (state.approvals[number]?.version ?? -1) < version {
                state.approvals[number] = (expiresOn, version)
            }
            // A link set after the snapshot was read is at least as new as the snapshot's.
            for (article, number) in links where state.links[article] == nil { state.links[article] = number }
            state.loaded = true
        }
    }
}
