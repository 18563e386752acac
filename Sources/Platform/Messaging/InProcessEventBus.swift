import ERPKernel
import Synchronization

/// The bus of the embedded mode: hands each event to every matching subscriber in this process.
///
/// A subscriber that throws makes `publish` throw, so the relay keeps the batch and offers it
/// again; subscribers that already took it skip it through their `EventInbox`.
public final class InProcessEventBus: EventBus {
    private let subscribers = Mutex<[EventSubscriber]>([])

    public init() {}

    public func subscribe(_ subscriber: EventSubscriber) async {
        subscribers.withLock { $0.append(subscriber) }
    }

    public func publish(_ events: [EventEnvelope]) async throws {
        let current = subscribers.withLock { $0 }
        for subscriber in current { try await subscriber.deliver(events) }
    }
}
