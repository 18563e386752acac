import ERPKernel
import Logging
import Synchronization

/// The bus of the distributed mode: every event goes to one Redis stream, and every subscriber
/// reads it through a consumer group of its own name, so each service gets each event although
/// its processes run anywhere.
///
/// `publish` returns once Redis has every event of the batch (the relay marks them published
/// only then). Redis keeps the stream near `maximumLength` entries; a consumer group that falls
/// further behind than that loses the oldest events, so the bound must cover the longest outage
/// of a consumer (1,000,000 events by default, a few hundred MB in Redis). With Redis's
/// append-only file on, an acknowledged `XADD` survives a Redis restart.
public final class RedisStreamBus: EventBus {
    private let client: RedisClient
    private let stream: String
    private let maximumLength: Int
    private let settings: StreamConsumer.Settings
    private let logger: Logger
    private let consumers = Mutex<[StreamConsumer]>([])

    public init(
        client: RedisClient, maximumLength: Int = 1_000_000, settings: StreamConsumer.Settings = .init(), logger: Logger
    ) {
        self.client = client
        stream = client.configuration.keyPrefix + "events"
        self.maximumLength = maximumLength
        self.settings = settings
        self.logger = logger
    }

    /// One round trip for the whole batch: the XADDs go out pipelined.
    public func publish(_ events: [EventEnvelope]) async throws {
        guard !events.isEmpty else { return }
        let commands: [[RESPArgument]] = events.map { event in
            var command: [RESPArgument] = ["XADD", .string(stream), "MAXLEN", "~", .integer(maximumLength), "*"]
            for (name, value) in event.streamFields { command += [.string(name), .bytes(value)] }
            return command
        }
        for result in try await client.pipeline(commands) {
            if case .failure(let error) = result { throw error }
        }
    }

    /// Starts the subscriber's consumer; it runs until `close()`.
    public func subscribe(_ subscriber: EventSubscriber) async {
        let consumer = StreamConsumer(
            subscriber: subscriber, stream: stream, client: client, settings: settings, logger: logger)
        consumers.withLock { $0.append(consumer) }
        consumer.start()
    }

    /// Stops every consumer after the batch it is handling.
    public func close() async {
        for consumer in consumers.withLock({ $0 }) { await consumer.stop() }
    }
}
