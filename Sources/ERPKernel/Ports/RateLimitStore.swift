/// Counts events per key in a sliding window: in-process in embedded mode, in Redis when
/// distributed, so that every process of a service shares one count.
public protocol RateLimitStore: Sendable {
    /// How long until every key is under its limit again; `nil` when all are now.
    func wait(for limits: [RateLimit], window: Duration) async throws -> Duration?
    /// Counts one event for each key.
    func hit(_ keys: [String], window: Duration) async throws
    /// Forgets a key's events.
    func reset(_ key: String) async throws
    /// Takes one event for `limit.key` if the key is within its limit by `GCRA`, in one step
    /// (concurrent callers never take more than the limit), and says where the key stands.
    func acquire(_ limit: RateLimit, window: Duration) async throws -> RateLimitDecision
    /// `acquire` for a store that decides without waiting (in memory); nil for one that must ask a server.
    func acquireImmediately(_ limit: RateLimit, window: Duration) -> RateLimitDecision?
    /// `acquire` for a caller that must not suspend (an event loop), from a store that asks a
    /// server: `decided` gets the outcome, on whichever thread the answer comes. False, and
    /// `decided` is never called, when the store cannot ask without a task of its own (it has
    /// no connection open yet).
    func acquire(
        _ limit: RateLimit, window: Duration, whenDecided decided: @escaping @Sendable (Result<RateLimitDecision, any Error>) -> Void
    ) -> Bool
}

extension RateLimitStore {
    public func acquireImmediately(_ limit: RateLimit, window: Duration) -> RateLimitDecision? { nil }

    public func acquire(
        _ limit: RateLimit, window: Duration, whenDecided decided: @escaping @Sendable (Result<RateLimitDecision, any Error>) -> Void
    ) -> Bool {
        false
    }
}

/// A key and the events it may have in the window.
public struct RateLimit: Sendable, Equatable {
    public let key: String
    public let limit: Int

    public init(key: String, limit: Int) {
        precondition(limit > 0, "a limit allows at least one event")
        self.key = key
        self.limit = limit
    }
}

/// What a rate limit does while its store cannot be reached.
public enum RateLimitFailure: String, Sendable, CaseIterable {
    /// Lets every event through: the service stays usable, unlimited.
    case open
    /// Refuses every event: nothing unlimited gets through, nothing else either.
    case closed
}

/// Where a key stands after `RateLimitStore.acquire`.
public struct RateLimitDecision: Sendable, Equatable {
    /// Whether the event was taken.
    public let allowed: Bool
    /// Events the key may still have at once.
    public let remaining: Int
    /// Until the key is back at its full limit.
    public let reset: Duration
    /// When refused: until one event would be taken; zero otherwise.
    public let retryAfter: Duration

    public init(allowed: Bool, remaining: Int, reset: Duration, retryAfter: Duration) {
        self.allowed = allowed
        self.remaining = remaining
        self.reset = reset
        self.retryAfter = retryAfter
    }
}

/// The generic cell rate algorithm: `limit` events per `window`, refilled evenly, so a burst of
/// `limit` passes and then one every `window / limit`. A key's whole state is one instant, its
/// theoretical arrival time (TAT): the moment its bucket would be full again.
public enum GCRA {
    /// The decision for an event at `now`, and the key's new TAT when the event is taken.
    /// - Parameter tat: the key's TAT, nil for a key never seen (or long expired); times are
    ///   offsets from one origin.
    public static func decide(tat: Duration?, now: Duration, limit: RateLimit, window: Duration) -> (decision: RateLimitDecision, tat: Duration?) {
        let interval = window / limit.limit
        let start = max(tat ?? now, now)
        let next = start + interval
        guard next - now <= window else {
            return (RateLimitDecision(allowed: false, remaining: 0, reset: start - now, retryAfter: next - now - window), nil)
        }
        let remaining = Int(((window - (next - now)) / interval).rounded(.down))
        return (RateLimitDecision(allowed: true, remaining: remaining, reset: next - now, retryAfter: .zero), next)
    }
}
