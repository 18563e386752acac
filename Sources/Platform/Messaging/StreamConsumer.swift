import ERPKernel
import Foundation
import Logging
import Synchronization

/// One subscriber reading the streams of the topics it wants (`StreamTopics`) through its
/// consumer group, on a Redis connection of its own (its reads block). A subscriber that wants a
/// family of topics (`auth.`) finds new ones in the registry about once a second.
///
/// Each entry is acknowledged after the subscriber handled it, so an entry is never lost: a
/// consumer that dies leaves its entries pending, and another one (or itself after a restart)
/// takes them over once they have been idle for `reclaimAfter`. Handling is idempotent, so an
/// entry handled twice does no harm.
///
/// An entry the subscriber keeps refusing while the entries after it succeed is poison: after
/// `maximumAttempts` it goes to its topic's dead-letter stream (`<stream>:dead:<group>`) with the error,
/// and is acknowledged. When every entry fails (the service's database is down), none is
/// dead-lettered: they stay pending and are offered again, with backoff, until it is back.
public final class StreamConsumer: Sendable {
    public struct Settings: Sendable {
        /// Entries one read takes.
        public var batchSize: Int
        /// How long one read waits for new entries.
        public var blockMilliseconds: Int
        /// A pending entry idle this long belongs to a dead consumer and is taken over.
        public var reclaimAfterMilliseconds: Int
        /// Attempts at one entry before it counts as refused.
        public var maximumAttempts: Int
        /// This process's name in the groups. A restarted process of the same name reads its
        /// pending entries first; under a new name, its predecessor's wait for the reclaim.
        public var consumerName: String

        public init(
            batchSize: Int = 512, blockMilliseconds: Int = 1_000, reclaimAfterMilliseconds: Int = 60_000, maximumAttempts: Int = 5,
            consumerName: String = "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
        ) {
            self.consumerName = consumerName
            self.batchSize = batchSize
            self.blockMilliseconds = blockMilliseconds
            self.reclaimAfterMilliseconds = reclaimAfterMilliseconds
            self.maximumAttempts = maximumAttempts
        }
    }

    private let subscriber: EventSubscriber
    private let topics: StreamTopics
    private let selection: StreamTopics.Selection
    private let client: RedisClient
    private let settings: Settings
    private let logger: Logger
    private var name: String { settings.consumerName }
    private var group: String { subscriber.name }
    private func deadLetters(of stream: String) -> String { "\(stream):dead:\(group)" }
    private let running = Mutex<(task: Task<Void, Never>?, connection: RedisConnection?)>((nil, nil))

    init(subscriber: EventSubscriber, topics: StreamTopics, client: RedisClient, settings: Settings, logger: Logger) {
        self.subscriber = subscriber
        self.topics = topics
        selection = StreamTopics.Selection(typePrefixes: subscriber.typePrefixes)
        self.client = client
        self.settings = settings
        var logger = logger
        logger[metadataKey: "event.consumer"] = .string(subscriber.name)
        self.logger = logger
    }

    func start() {
        let task = Task { await run() }
        running.withLock { $0.task = task }
    }

    /// Cancels the loop and closes its connection, which ends a read that is blocking.
    func stop() async {
        let (task, connection) = running.withLock { ($0.task, $0.connection) }
        task?.cancel()
        await connection?.close()
        await task?.value
    }

    /// Reads until cancelled; a lost connection or an outage is retried with backoff.
    private func run() async {
        var backoffMilliseconds = 100
        while !Task.isCancelled {
            do {
                let connection = try await client.makeDedicatedConnection()
                running.withLock { $0.connection = connection }
                do {
                    try await consume(on: connection) { backoffMilliseconds = 100 }
                    await connection.close()
                } catch {
                    await connection.close()
                    throw error
                }
            } catch {
                if Task.isCancelled { break }
                logger.warning(
                    "event stream consumer paused; retrying",
                    metadata: ["error.message": .string("\(error)"), "retry.backoff_ms": .stringConvertible(backoffMilliseconds)])
                try? await Task.sleep(for: .milliseconds(backoffMilliseconds))
                backoffMilliseconds = min(backoffMilliseconds * 2, 5_000)
            }
        }
    }

    private func consume(on connection: RedisConnection, progressed: () -> Void) async throws {
        var streams = try await streamsToRead(besides: [], on: connection)
        // Entries this consumer was given before its connection broke, with new ones behind
        // them that tell a poison entry from an outage.
        if !streams.isEmpty {
            let pending = try await connection.xreadgroup(group: group, consumer: name, streams: streams.map { ($0, "0") }, count: settings.batchSize)
            let fresh = try await connection.xreadgroup(group: group, consumer: name, streams: streams.map { ($0, ">") }, count: settings.batchSize)
            try await handle(pending + fresh, on: connection)
        }
        progressed()
        var lastReclaim = ContinuousClock.now
        var lastLookup = ContinuousClock.now
        while !Task.isCancelled {
            if !selection.families.isEmpty, ContinuousClock.now - lastLookup > .seconds(1) {
                streams = try await streamsToRead(besides: streams, on: connection)
                lastLookup = ContinuousClock.now
            }
            guard !streams.isEmpty else {
                try await Task.sleep(for: .milliseconds(settings.blockMilliseconds))
                continue
            }
            if ContinuousClock.now - lastReclaim > .milliseconds(settings.reclaimAfterMilliseconds / 2) {
                for stream in streams {
                    let claimed = try await connection.xautoclaim(
                        stream: stream, group: group, consumer: name, minIdleMilliseconds: settings.reclaimAfterMilliseconds,
                        count: settings.batchSize)
                    try await handle(claimed.entries, on: connection)
                }
                lastReclaim = ContinuousClock.now
            }
            let entries = try await connection.xreadgroup(
                group: group, consumer: name, streams: streams.map { ($0, ">") }, count: settings.batchSize,
                blockMilliseconds: settings.blockMilliseconds)
            try await handle(entries, on: connection)
            progressed()
        }
    }

    /// The streams of the topics this subscriber wants, `known` and any new ones, sorted; the
    /// group is created on each new one, from its start: a service deployed later, or a topic
    /// found later, still gets every event Redis kept.
    private func streamsToRead(besides known: [String], on connection: RedisConnection) async throws -> [String] {
        var wanted = selection.topics
        if !selection.families.isEmpty {
            let registered = try await connection.send(["SMEMBERS", .string(topics.registry)]).array ?? []
            wanted.formUnion(registered.compactMap(\.string).filter(selection.wants))
        }
        let streams = wanted.map(topics.stream(of:)).sorted()
        for stream in streams where !known.contains(stream) {
            try await connection.xgroupCreate(stream: stream, group: group, startID: "0", mkstream: true)
        }
        return streams
    }

    /// Hands the entries to the subscriber, in the order of their IDs, and acknowledges what it took.
    /// - Throws: when the entries failed as a whole (an outage); they stay pending.
    private func handle(_ entries: [RedisStreamEntry], on connection: RedisConnection) async throws {
        guard !entries.isEmpty else { return }
        var readable: [Readable] = []
        let ordered = entries.contains { $0.stream != entries[0].stream } ? entries.sorted { StreamEntryID($0.id) < StreamEntryID($1.id) } : entries
        for entry in ordered {
            do {
                readable.append(Readable(stream: entry.stream, id: entry.id, event: try EventEnvelope(streamFields: entry.fields)))
            } catch {
                try await deadLetter(entry.id, of: entry.stream, fields: entry.fields, error: error, on: connection)
            }
        }
        do {
            try await subscriber.deliver(readable.map(\.event))
            for (stream, taken) in Dictionary(grouping: readable, by: \.stream) {
                try await connection.xack(stream: stream, group: group, ids: taken.map(\.id))
            }
        } catch {
            if Task.isCancelled { throw error }
            try await handleOneByOne(readable, firstError: error, on: connection)
        }
    }

    private struct Readable {
        let stream: String
        let id: String
        let event: EventEnvelope
    }

    /// After a batch failed: each entry alone, so one bad entry cannot hold up the others.
    private func handleOneByOne(_ entries: [Readable], firstError: any Error, on connection: RedisConnection) async throws {
        var refused: [(entry: Readable, error: any Error)] = []
        for entry in entries {
            if let error = await attempt(entry.event) {
                refused.append((entry, error))
                continue
            }
            try await connection.xack(stream: entry.stream, group: group, ids: [entry.id])
            // An entry after them succeeded, so the subscriber works: a refused entry that still
            // fails now is poison (one that passes now only met the end of an outage).
            for earlier in refused.map(\.entry) {
                if let error = await attempt(earlier.event) {
                    try await deadLetter(earlier.id, of: earlier.stream, fields: earlier.event.streamFields, error: error, on: connection)
                } else {
                    try await connection.xack(stream: earlier.stream, group: group, ids: [earlier.id])
                }
            }
            refused = []
        }
        if let last = refused.last { throw last.error }
    }

    /// Up to `maximumAttempts` deliveries of one event, with backoff; the last error if all failed.
    private func attempt(_ event: EventEnvelope) async -> (any Error)? {
        var lastError: (any Error)?
        for attempt in 0..<settings.maximumAttempts {
            if attempt > 0 { try? await Task.sleep(for: .milliseconds(50 << min(attempt, 6))) }
            do {
                try await subscriber.deliver([event])
                return nil
            } catch {
                lastError = error
                if Task.isCancelled { break }
            }
        }
        return lastError
    }

    private func deadLetter(_ id: String, of stream: String, fields: [(String, [UInt8])], error: any Error, on connection: RedisConnection) async throws {
        let deadLetters = deadLetters(of: stream)
        logger.error(
            "event refused again and again; moved to the dead-letter stream",
            metadata: ["event.stream_id": .string(id), "error.message": .string("\(error)"), "dead_letter.stream": .string(deadLetters)])
        let annotated = fields + [("error", Array("\(error)".utf8)), ("stream_id", Array(id.utf8))]
        try await connection.xadd(stream: deadLetters, fields: annotated)
        try await connection.xack(stream: stream, group: group, ids: [id])
    }
}

/// A stream entry's ID (`<milliseconds>-<sequence>`), ordered as Redis orders them.
private struct StreamEntryID: Comparable {
    let milliseconds: UInt64
    let sequence: UInt64

    init(_ text: String) {
        let parts = text.split(separator: "-", maxSplits: 1)
        milliseconds = parts.first.flatMap { UInt64($0) } ?? 0
        sequence = parts.count > 1 ? UInt64(parts[1]) ?? 0 : 0
    }

    static func < (left: StreamEntryID, right: StreamEntryID) -> Bool {
        (left.milliseconds, left.sequence) < (right.milliseconds, right.sequence)
    }
}
