import ERPKernel
import Synchronization

/// An event bus that keeps what was published, for asserting on a service's events; it can be
/// told to fail the next publications to exercise retries.
public final class RecordingEventBus: EventBus {
    private let state = Mutex<(events: [EventEnvelope], failuresLeft: Int, subscribers: [EventSubscriber])>(([], 0, []))

    public init() {}

    public var published: [EventEnvelope] { state.withLock { $0.events } }

    /// The next `count` calls to `publish` throw without recording anything.
    public func failNext(_ count: Int) { state.withLock { $0.failuresLeft = count } }

    /// Failures asked for with `failNext` that have not happened yet.
    public var failuresLeft: Int { state.withLock { $0.failuresLeft } }

    public func publish(_ events: [EventEnvelope]) async throws {
        let subscribers = try state.withLock { state -> [EventSubscriber] in
            if state.failuresLeft > 0 {
                state.failuresLeft -= 1
                throw BusUnavailable()
            }
            state.events.append(contentsOf: events)
            return state.subscribers
        }
        for subscriber in subscribers { try await subscriber.deliver(events) }
    }

    public func subscribe(_ subscriber: EventSubscriber) async {
        state.withLock { $0.subscribers.append(subscriber) }
    }

    public struct BusUnavailable: Error {}
}
