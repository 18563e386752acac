import ERPKernel
import Synchronization

/// The rate-limit counts of one process, bounded by key count (the least recently hit key is
/// forgotten first).
public final class InProcessRateLimitStore: RateLimitStore {
    private let events = Mutex<[String: [ContinuousClock.Instant]]>([:])
    /// The theoretical arrival time of each key `acquire` has seen, from `origin`.
    private let arrivals = Mutex<[String: Duration]>([:])
    private let origin: ContinuousClock.Instant
    private let maximumKeys: Int
    private let now: @Sendable () -> ContinuousClock.Instant

    public init(maximumKeys: Int = 100_000, now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        precondition(maximumKeys > 0)
        self.maximumKeys = maximumKeys
        self.now = now
        origin = now()
    }

    public func acquire(_ limit: RateLimit, window: Duration) async -> RateLimitDecision {
        decide(limit, window: window)
    }

    public func acquireImmediately(_ limit: RateLimit, window: Duration) -> RateLimitDecision? {
        decide(limit, window: window)
    }

    private func decide(_ limit: RateLimit, window: Duration) -> RateLimitDecision {
        let time = now() - origin
        return arrivals.withLock { arrivals in
            if arrivals.count >= maximumKeys, arrivals[limit.key] == nil {
                // Keys whose bucket is full again carry no state worth keeping.
                arrivals = arrivals.filter { $0.value > time }
                if arrivals.count >= maximumKeys { arrivals.remove(at: arrivals.startIndex) }
            }
            let (decision, tat) = GCRA.decide(tat: arrivals[limit.key], now: time, limit: limit, window: window)
            if let tat { arrivals[limit.key] = tat }
            return decision
        }
    }

    public func wait(for limits: [RateLimit], window: Duration) async -> Duration? {
        let time = now()
        return events.withLock { events in
            var wait: Duration?
            for limit in limits {
                let recent = (events[limit.key] ?? []).filter { time - $0 < window }
                events[limit.key] = recent.isEmpty ? nil : recent
                // Under the limit once all but limit - 1 of the recent events have left the window.
                if recent.count >= limit.limit {
                    let remaining = window - (time - recent[recent.count - limit.limit])
                    wait = max(wait ?? .zero, remaining)
                }
            }
            return wait
        }
    }

    public func hit(_ keys: [String], window: Duration) async {
        let time = now()
        events.withLock { events in
            if events.count >= maximumKeys, let victim = events.min(by: { ($0.value.last ?? time) < ($1.value.last ?? time) })?.key {
                events[victim] = nil
            }
            for key in keys { events[key, default: []].append(time) }
        }
    }

    public func reset(_ key: String) async {
        _ = events.withLock { $0.removeValue(forKey: key) }
        _ = arrivals.withLock { $0.removeValue(forKey: key) }
    }
}
