import ERPKernel
import Foundation
@testable import Platform
import Synchronization
import Testing

/// The distributed bus on a real Redis: delivery to every group, a stream per topic, takeover of
/// a dead consumer's entries, and the dead-letter stream for an entry that keeps failing.
@Suite(.enabled(if: TestRedis.url != nil, "needs NEUROERP_TEST_REDIS_URL"))
struct RedisStreamBusTests {
    /// A bus under a key prefix of its own; fast reclaiming for the tests.
    static func bus(prefix: String, consumer: String = "a", reclaimAfterMilliseconds: Int = 60_000) throws -> (RedisStreamBus, RedisClient) {
        var configuration = try TestRedis.configuration()
        configuration.keyPrefix = prefix
        let client = RedisClient(configuration: configuration, logger: TestRedis.logger)
        let settings = StreamConsumer.Settings(
            batchSize: 64, blockMilliseconds: 100, reclaimAfterMilliseconds: reclaimAfterMilliseconds, maximumAttempts: 3,
            consumerName: consumer)
        return (RedisStreamBus(client: client, settings: settings, logger: TestRedis.logger), client)
    }

    static func events(_ count: Int, type: String = "transactions.sale.posted.v1") -> [EventEnvelope] {
        (0..<count).map { index in
            EventEnvelope(
                type: type, source: "transactions", tenantID: TenantID(.generate()), subject: "sale-\(index)",
                traceID: index % 2 == 0 ? "4bf92f3577b34da6a3ce929d0e0e4736" : nil, payload: Data(#"{"n":\#(index)}"#.utf8))
        }
    }

    static func prefix() -> String { "neuroerp-test:\(UUID().uuidString.prefix(8)):" }

    static func eventually(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while !condition(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
    }

    /// Order holds within a topic; a subscriber of every event learns of topics as they appear.
    @Test func everyGroupGetsEveryEventOnceInOrderAndUnchanged() async throws {
        let prefix = Self.prefix()
        let (bus, client) = try Self.bus(prefix: prefix)
        let audit = Mutex<[EventEnvelope]>([])
        let compliance = Mutex<[EventEnvelope]>([])
        await bus.subscribe(EventSubscriber(name: "audit", handleBatch: { batch in audit.withLock { $0 += batch } }))
        await bus.subscribe(EventSubscriber(name: "compliance", typePrefixes: ["transactions.sale."]) { event in
            compliance.withLock { $0.append(event) }
        })
        let sent = Self.events(300) + Self.events(5, type: "users.user.created.v1")
        try await bus.publish(Array(sent[..<150]))
        try await bus.publish(Array(sent[150...]))
        try await Self.eventually { audit.withLock { $0.count } == 305 && compliance.withLock { $0.count } == 300 }
        let audited = audit.withLock { $0 }
        #expect(audited.filter { $0.type.hasPrefix("transactions.") } == Array(sent[..<300]))
        #expect(audited.filter { $0.type.hasPrefix("users.") } == Array(sent[300...]))
        #expect(compliance.withLock { $0 } == Array(sent[..<300]))
        // The compliance subscriber never read the users' topic.
        func groups(_ topic: String) async throws -> Int? { try await client.send(["XINFO", "GROUPS", .string(prefix + "events:" + topic)]).array?.count }
        #expect(try await groups("transactions.sale") == 2)
        #expect(try await groups("users.user") == 1)
        await bus.close()
        await client.close()
    }

    @Test func entriesOfAConsumerThatDiedAreTakenOverAndHandledOnce() async throws {
        let prefix = Self.prefix()
        let (first, firstClient) = try Self.bus(prefix: prefix, consumer: "dies", reclaimAfterMilliseconds: 300)
        let taken = Atomic<Int>(0)
        // The first consumer takes a batch and never finishes it: its process is gone.
        await first.subscribe(EventSubscriber(name: "audit", handleBatch: { _ in
            taken.add(1, ordering: .relaxed)
            try await Task.sleep(for: .seconds(3600))
        }))
        let sent = Self.events(40)
        try await first.publish(sent)
        try await Self.eventually { taken.load(ordering: .relaxed) > 0 }
        await first.close()
        await firstClient.close()

        let (second, secondClient) = try Self.bus(prefix: prefix, consumer: "survives", reclaimAfterMilliseconds: 300)
        let handled = Mutex<[EventEnvelope]>([])
        await second.subscribe(EventSubscriber(name: "audit", handleBatch: { batch in handled.withLock { $0 += batch } }))
        try await Self.eventually { handled.withLock { $0.count } >= 40 }
        try await Task.sleep(for: .milliseconds(700))  // a second takeover would show up by now
        #expect(handled.withLock { $0 }.map(\.id).sorted() == sent.map(\.id).sorted())
        await second.close()
        await secondClient.close()
    }

    @Test func anEntryThatKeepsFailingGoesToTheDeadLetterStreamAndTheOthersPass() async throws {
        let prefix = Self.prefix()
        let (bus, client) = try Self.bus(prefix: prefix)
        let sent = Self.events(10)
        let poison = sent[3].id
        let handled = Mutex<[EntityID]>([])
        struct Refused: Error {}
        await bus.subscribe(EventSubscriber(name: "audit") { event in
            if event.id == poison { throw Refused() }
            handled.withLock { $0.append(event.id) }
        })
        try await bus.publish(sent)
        // At least once: the entries before the poison in its batch may come twice.
        try await Self.eventually { Set(handled.withLock { $0 }).count == 9 }
        #expect(Set(handled.withLock { $0 }) == Set(sent.map(\.id).filter { $0 != poison }))
        let dead = try await client.send(["XRANGE", .string(prefix + "events:transactions.sale:dead:audit"), "-", "+"])
        let entries = try #require(dead.array)
        #expect(entries.count == 1)
        #expect(entries.first?.description.contains(poison.description) == true)
        await bus.close()
        await client.close()
    }

    @Test func whenEveryEntryFailsNoneIsDeadLetteredAndAllArriveOnceItRecovers() async throws {
        let prefix = Self.prefix()
        let (bus, client) = try Self.bus(prefix: prefix)
        let down = Atomic<Bool>(true)
        let handled = Mutex<[EntityID]>([])
        struct DatabaseDown: Error {}
        await bus.subscribe(EventSubscriber(name: "audit") { event in
            if down.load(ordering: .relaxed) { throw DatabaseDown() }
            handled.withLock { $0.append(event.id) }
        })
        let sent = Self.events(20)
        try await bus.publish(sent)
        try await Task.sleep(for: .seconds(1))
        down.store(false, ordering: .relaxed)
        try await Self.eventually { Set(handled.withLock { $0 }).count == 20 }
        #expect(Set(handled.withLock { $0 }) == Set(sent.map(\.id)))
        let dead = try await client.send(["XLEN", .string(prefix + "events:transactions.sale:dead:audit")])
        #expect(dead.int == 0)
        await bus.close()
        await client.close()
    }

    @Test func publishingWhileRedisIsUnreachableFailsSoTheOutboxKeepsTheEvents() async throws {
        var configuration = try TestRedis.configuration()
        configuration.port = 1
        let client = RedisClient(configuration: configuration, logger: TestRedis.logger)
        let bus = RedisStreamBus(client: client, logger: TestRedis.logger)
        await #expect(throws: RedisError.self) { try await bus.publish(Self.events(1)) }
        await client.close()
    }
}
