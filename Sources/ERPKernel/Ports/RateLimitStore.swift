/// Counts events per key in a sliding window: in-process in embedded mode, in Redis when
/// distributed, so that every process of a service shares one count.
public protocol RateLimitStore: Sendable {
    /// How long until every key is under its limit again; `nil` when all are now.
    func wait(for limits: [RateLimit], window: Duration) async throws -> Duration?
    /// Counts one event for each key.
    func hit(_ keys: [String], window: Duration) async throws
    /// Forgets a key's events.
    func reset(_ key: String) async throws
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
