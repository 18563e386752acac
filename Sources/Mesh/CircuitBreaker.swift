import Synchronization

/// One upstream's circuit. Closed, calls go through; after `failureThreshold` failures in a row,
/// or half of the last 20 calls failing, it opens and calls fail at once for `openDuration`; then
/// one probe goes through (half-open): its success closes the circuit, its failure opens it again.
public final class CircuitBreaker: Sendable {
    public struct Settings: Sendable {
        public var failureThreshold: Int
        public var openDuration: Duration
        /// The share of failures among the last 20 calls (10 at least) that opens the circuit.
        public var failureRatio: Double

        public init(failureThreshold: Int = 5, openDuration: Duration = .seconds(5), failureRatio: Double = 0.5) {
            precondition(failureThreshold > 0)
            self.failureThreshold = failureThreshold
            self.openDuration = openDuration
            self.failureRatio = failureRatio
        }
    }

    public enum State: Int, Sendable {
        case closed = 0, halfOpen = 1, open = 2
    }

    private struct Inner {
        var state = State.closed
        var failuresInARow = 0
        /// The outcomes of the last calls, true for a failure.
        var recent: [Bool] = []
        var openedAt = ContinuousClock.now
        var probing = false
    }

    static let ratioWindow = 20
    private let inner = Mutex(Inner())
    private let settings: Settings
    private let changed: @Sendable (State) -> Void

    /// - Parameter changed: told every new state (a metric).
    public init(settings: Settings = Settings(), changed: @escaping @Sendable (State) -> Void = { _ in }) {
        self.settings = settings
        self.changed = changed
    }

    public var state: State { inner.withLock { $0.state } }

    /// How long until the circuit would let a call through; nil when one may go now. Changes nothing,
    /// so a balancer can compare replicas before it commits to one with `admit()`.
    func wait() -> Duration? {
        inner.withLock { inner in
            switch inner.state {
            case .closed: return nil
            case .open:
                let waited = ContinuousClock.now - inner.openedAt
                return waited >= settings.openDuration ? nil : settings.openDuration - waited
            case .halfOpen: return inner.probing ? .seconds(1) : nil
            }
        }
    }

    /// An open circuit lets its probe through at the next call rather than when its time is up:
    /// an active health check saw the upstream answer again.
    func allowProbe() {
        inner.withLock { inner in
            if inner.state == .open { inner.openedAt = .now - settings.openDuration }
        }
    }

    /// Whether a call may go now: nil when it may, else how long until the circuit lets a probe through.
    func admit() -> Duration? {
        let (wait, newState) = inner.withLock { inner -> (Duration?, State?) in
            switch inner.state {
            case .closed:
                return (nil, nil)
            case .open:
                let waited = ContinuousClock.now - inner.openedAt
                guard waited >= settings.openDuration else { return (settings.openDuration - waited, nil) }
                inner.state = .halfOpen
                inner.probing = true
                return (nil, .halfOpen)
            case .halfOpen:
                // One probe at a time; the others wait for its outcome.
                guard !inner.probing else { return (.seconds(1), nil) }
                inner.probing = true
                return (nil, nil)
            }
        }
        if let newState { changed(newState) }
        return wait
    }

    func record(failure: Bool) {
        let newState = inner.withLock { inner -> State? in
            inner.recent.append(failure)
            if inner.recent.count > Self.ratioWindow { inner.recent.removeFirst() }
            inner.failuresInARow = failure ? inner.failuresInARow + 1 : 0
            inner.probing = false
            let ratioTripped = inner.recent.count >= Self.ratioWindow / 2
                && Double(inner.recent.filter { $0 }.count) >= settings.failureRatio * Double(inner.recent.count)
            switch (inner.state, failure) {
            case (.closed, true) where inner.failuresInARow >= settings.failureThreshold || ratioTripped, (.halfOpen, true):
                inner.state = .open
                inner.openedAt = .now
                return .open
            case (.halfOpen, false), (.open, false):
                inner.state = .closed
                inner.recent.removeAll()
                return .closed
            default:
                return nil
            }
        }
        if let newState { changed(newState) }
    }
}
