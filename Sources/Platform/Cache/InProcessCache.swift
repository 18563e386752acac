import ERPKernel
import Foundation
import Synchronization

/// The cache of the embedded mode, and the L1 in front of Redis when distributed.
///
/// Bounded by entry count; when full it evicts the least recently used of a small random sample
/// (as Redis does), which keeps every operation O(1) under one lock.
public final class InProcessCache: Cache {
    private struct Entry {
        var value: [UInt8]
        var expiresAt: UInt64
        var lastUsed: UInt64
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let maximumEntries: Int
    private let now: @Sendable () -> UInt64

    /// - Parameter maximumEntries: the bound on stored keys (default 100,000).
    public init(
        maximumEntries: Int = 100_000,
        now: @escaping @Sendable () -> UInt64 = { DispatchTime.now().uptimeNanoseconds / 1_000_000 }
    ) {
        precondition(maximumEntries > 0)
        self.maximumEntries = maximumEntries
        self.now = now
    }

    public func get(_ key: String) async -> [UInt8]? {
        let time = now()
        return entries.withLock { entries -> [UInt8]? in
            guard var entry = entries[key] else { return nil }
            guard entry.expiresAt > time else {
                entries[key] = nil
                return nil
            }
            entry.lastUsed = time
            entries[key] = entry
            return entry.value
        }
    }

    public func set(_ key: String, value: [UInt8], ttlMilliseconds: Int) async {
        let time = now()
        entries.withLock { entries in
            if entries[key] == nil, entries.count >= maximumEntries { Self.evictOne(from: &entries, now: time) }
            entries[key] = Entry(value: value, expiresAt: time + UInt64(max(ttlMilliseconds, 0)), lastUsed: time)
        }
    }

    public func delete(_ key: String) async {
        _ = entries.withLock { $0.removeValue(forKey: key) }
    }

    public var count: Int { entries.withLock { $0.count } }

    private static func evictOne(from entries: inout [String: Entry], now: UInt64) {
        var victim: (key: String, lastUsed: UInt64)?
        for _ in 0..<5 {
            guard let candidate = entries.randomElement() else { return }
            if candidate.value.expiresAt <= now {
                victim = (candidate.key, 0)
                break
            }
            if victim == nil || candidate.value.lastUsed < victim!.lastUsed {
                victim = (candidate.key, candidate.value.lastUsed)
            }
        }
        if let victim { entries[victim.key] = nil }
    }
}
