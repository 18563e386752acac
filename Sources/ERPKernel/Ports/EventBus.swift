/// Delivers published events to subscribers. In-process in embedded mode; Redis Streams when
/// distributed. Delivery is at least once: a handler must be idempotent (see `EventInbox`).
public protocol EventBus: Sendable {
    /// Hands a batch to every subscriber whose filter matches; returns when all accepted it.
    /// - Throws: when a subscriber failed; the caller keeps the events and retries later.
    func publish(_ events: [EventEnvelope]) async throws

    /// Registers a consumer under a stable name (its consumer group when distributed).
    func subscribe(_ subscriber: EventSubscriber) async
}

/// A named consumer of events.
public struct EventSubscriber: Sendable {
    public let name: String
    /// The event types it wants, as prefixes; empty means all.
    public let typePrefixes: [String]
    public let accepts: @Sendable (String) -> Bool
    /// Takes the accepted events of one published batch, in their order.
    public let handle: @Sendable ([EventEnvelope]) async throws -> Void

    /// A consumer that handles one event at a time.
    /// - Parameters:
    ///   - name: stable consumer name, unique per service.
    ///   - typePrefixes: event types this consumer wants; empty means all.
    public init(
        name: String, typePrefixes: [String] = [],
        handle: @escaping @Sendable (EventEnvelope) async throws -> Void
    ) {
        self.init(name: name, typePrefixes: typePrefixes, handleBatch: { events in
            for event in events { try await handle(event) }
        })
    }

    /// A consumer that takes a batch at once (one database write for all of it, say).
    public init(
        name: String, typePrefixes: [String] = [],
        handleBatch: @escaping @Sendable ([EventEnvelope]) async throws -> Void
    ) {
        self.name = name
        self.typePrefixes = typePrefixes
        self.accepts = { type in typePrefixes.isEmpty || typePrefixes.contains { type.hasPrefix($0) } }
        self.handle = handleBatch
    }

    /// Hands this subscriber the events of `events` it accepts, in order; nothing when none.
    public func deliver(_ events: [EventEnvelope]) async throws {
        let accepted = events.filter { accepts($0.type) }
        if !accepted.isEmpty { try await handle(accepted) }
    }
}
