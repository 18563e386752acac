import ERPKernel
import Logging
import Synchronization

/// The bus of the distributed mode: every event goes to the Redis stream of its topic
/// (`StreamTopics`), and every subscriber reads the topics it wants through a consumer group of
/// its own name, so each service gets each event although its processes run anywhere.
///
/// `publish` returns once Redis has every event of the batch (the relay marks them published
/// only then). Redis keeps the stream near `maximumLength` entries; a consumer group that falls
/// further behind than that on a topic loses its oldest events, so the bound must cover the longest outage
/// of a consumer (1,000,000 events by default, a few hundred MB in Redis). With Redis's
/// append-only file on, an acknowledged `XADD` survives a Redis restart.
public final class RedisStreamBus: EventBus {
    private let client: RedisClient
    private let topics: StreamTopics
    private let maximumLength: Int
    private let settings: StreamConsumer.Settings
    private let logger: Logger
    private let consumers = Mutex<[StreamConsumer]>([])

    public init(
        client: RedisClient, maximumLength: Int = 1_000_000, settings: StreamConsumer.Settings = .init(), logger: Logger
    ) {
        self.client = client
        topics = StreamTopics(keyPrefix: client.configuration.keyPrefix)
        self.maximumLength = maximumLength
        self.settings = settings
        self.logger = logger
    }

    /// One round trip for the whole batch: the XADDs go out pipelined, with the batch's topics
    /// added to the registry (every time: a Redis that lost its data gets them back at once).
    public func publish(_ events: [EventEnvelope]) async throws {
        guard !events.isEmpty else { return }
        let eventTopics = events.map { StreamTopics.topic(of: $0.type) }
        let commands: [[RESPArgument]] = zip(events, eventTopics).map { event, topic in
            var command: [RESPArgument] = ["XADD", .string(topics.stream(of: topic)), "MAXLEN", "~", .integer(maximumLength), "*"]
            for (name, value) in event.streamFields { command += [.string(name), .bytes(value)] }
            return command
        } + [["SADD", .string(topics.registry)] + Set(eventTopics).sorted().map(RESPArgument.string)]
        for result in try await client.pipeline(commands) {
            if case .failure(let error) = result { throw error }
        }
    }

    /// Starts the subscriber's consumer; it runs until `close()`.
    public func subscribe(_ subscriber: EventSubscriber) async {
        let consumer = StreamConsumer(
            subscriber: subscriber, topics: topics, client: client, settings: settings, logger: logger)
        consumers.withLock { $0.append(consumer) }
        consumer.start()
    }

    /// Stops every consumer after the batch it is handling.
    public func close() async {
        for consumer in consumers.withLock({ $0 }) { await consumer.stop() }
    }
}
