import ERPKernel
import Foundation
import Synchronization

/// Tokens whose signature and claims were checked, with the identity they gave, until they
/// expire. A signature check costs tens of microseconds; a client sends the same token for
/// minutes, so each token is verified once. Keyed by the whole token, so a changed byte misses.
final class VerifiedTokens: Sendable {
    private let capacity: Int
    private let entries = Mutex<[String: (identity: Identity, expiresAt: Date)]>([:])

    init(capacity: Int) { self.capacity = capacity }

    func identity(for token: String, now: Date = Date()) -> Identity? {
        entries.withLock { entries in
            guard let entry = entries[token] else { return nil }
            guard entry.expiresAt > now else {
                entries[token] = nil
                return nil
            }
            return entry.identity
        }
    }

    func remember(_ token: String, identity: Identity, expiresAt: Date, now: Date = Date()) {
        guard capacity > 0 else { return }
        entries.withLock { entries in
            if entries.count >= capacity {
                entries = entries.filter { $0.value.expiresAt > now }
                // Still full of live tokens: forget an arbitrary half rather than grow.
                if entries.count >= capacity { entries = Dictionary(uniqueKeysWithValues: entries.prefix(capacity / 2).map { ($0.key, $0.value) }) }
            }
            entries[token] = (identity, expiresAt)
        }
    }
}
