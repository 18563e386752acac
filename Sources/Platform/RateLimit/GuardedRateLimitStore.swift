import ERPKernel
import Logging
import Synchronization

/// A rate-limit store that does not take its service down with it: while the store fails, a
/// limit is open (every event passes) or closed (every event waits `closedWait`), as configured.
/// Each failure is counted; the first of a run is logged, and so is the recovery.
public final class GuardedRateLimitStore: RateLimitStore {
    private let store: any RateLimitStore
    private let failure: RateLimitFailure
    private let logger: Logger
    private let failing = Atomic<Bool>(false)
    private let failures = Atomic<Int>(0)
    /// What a closed limit answers while the store is away.
    static let closedWait = Duration.seconds(5)

    public init(_ store: any RateLimitStore, failure: RateLimitFailure, logger: Logger) {
        self.store = store
        self.failure = failure
        self.logger = logger
    }

    /// Failed store operations since the start.
    public var failureCount: Int { failures.load(ordering: .relaxed) }

    public func wait(for limits: [RateLimit], window: Duration) async -> Duration? {
        do {
            let wait = try await store.wait(for: limits, window: window)
            recovered()
            return wait
        } catch {
            failed(error)
            return failure == .open ? nil : Self.closedWait
        }
    }

    public func hit(_ keys: [String], window: Duration) async {
        do {
            try await store.hit(keys, window: window)
            recovered()
        } catch {
            failed(error)
        }
    }

    public func acquire(_ limit: RateLimit, window: Duration) async -> RateLimitDecision {
        do {
            let decision = try await store.acquire(limit, window: window)
            recovered()
            return decision
        } catch {
            return decisionWithoutStore(limit, error)
        }
    }

    public func acquire(
        _ limit: RateLimit, window: Duration, whenDecided decided: @escaping @Sendable (Result<RateLimitDecision, any Error>) -> Void
    ) -> Bool {
        store.acquire(limit, window: window) { [self] result in
            switch result {
            case .success(let decision):
                recovered()
                decided(.success(decision))
            case .failure(let error):
                decided(.success(decisionWithoutStore(limit, error)))
            }
        }
    }

    /// What the limit answers while the store fails: open or closed, as configured.
    private func decisionWithoutStore(_ limit: RateLimit, _ error: any Error) -> RateLimitDecision {
        failed(error)
        return failure == .open
            ? RateLimitDecision(allowed: true, remaining: limit.limit, reset: .zero, retryAfter: .zero)
            : RateLimitDecision(allowed: false, remaining: 0, reset: Self.closedWait, retryAfter: Self.closedWait)
    }

    public func reset(_ key: String) async {
        do {
            try await store.reset(key)
            recovered()
        } catch {
            failed(error)
        }
    }

    private func failed(_ error: any Error) {
        failures.add(1, ordering: .relaxed)
        if !failing.exchange(true, ordering: .relaxed) {
            logger.error("rate-limit store unavailable, limits fail \(failure.rawValue)", metadata: ["error": "\(error)"])
        }
    }

    private func recovered() {
        if failing.exchange(false, ordering: .relaxed) { logger.notice("rate-limit store available again") }
    }
}
