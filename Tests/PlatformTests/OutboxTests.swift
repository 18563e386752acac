import ERPKernel
import Foundation
import Logging
import Platform
import ServiceLifecycle
import Testing
import ERPTesting

@Suite struct OutboxTests {
    static func event(_ n: Int) -> EventEnvelope {
        EventEnvelope(type: "test.happened.v1", source: "test", subject: "s\(n)", traceID: "t\(n)", payload: Data("{\"n\":\(n)}".utf8))
    }

    @Test func eventsCommitWithTheirTransactionOrNotAtAll() async throws {
        let (database, _) = try await TestDatabase.make()
        try await database.write { try Outbox.append([Self.event(1)], in: $0) }
        struct Abort: Error {}
        _ = try? await database.write { tx in
            try Outbox.append([Self.event(2)], in: tx)
            throw Abort()
        }
        let pending = try await Outbox(database: database).pending(limit: 10)
        #expect(pending.events.map(\.subject) == ["s1"])
        await database.close()
    }

    @Test func theRelayDeliversInCommitOrderAndMarksDelivered() async throws {
        let (database, _) = try await TestDatabase.make()
        let events = (1...300).map(Self.event)
        try await database.write { try Outbox.append(events, in: $0) }
        let bus = RecordingEventBus()
        let relay = OutboxRelay(outbox: Outbox(database: database), bus: bus, metrics: MetricsRegistry(), logger: TestDatabase.logger, batchSize: 64)
        try await relay.flush()
        #expect(bus.published.map(\.id) == events.map(\.id))
        #expect(bus.published.first == events.first)
        #expect(try await Outbox(database: database).pending(limit: 10).events.isEmpty)
        await database.close()
    }

    /// A relay that delivered before starts its search after the last event it delivered; what
    /// it finds, counts and marks is what it would without that start.
    @Test func aSearchAfterTheLastDeliveredFindsCountsAndMarksTheSameEvents() async throws {
        let (database, _) = try await TestDatabase.make()
        try await database.write { try Outbox.append((1...5).map(Self.event), in: $0) }
        let outbox = Outbox(database: database)
        let all = try await outbox.pending(limit: 10)
        let third = try #require(all.lastSeq) - 2
        try await outbox.markPublished(throughSeq: third)
        let rest = try await outbox.pending(limit: 10, after: third)
        #expect(rest.events.map(\.subject) == ["s4", "s5"])
        #expect(rest.events == (try await outbox.pending(limit: 10)).events)
        #expect(try await outbox.backlog(after: third).count == 2)
        try await outbox.markPublished(throughSeq: third + 1, after: third)
        #expect(try await outbox.pending(limit: 10).events.map(\.subject) == ["s5"])
        await database.close()
    }

    @Test func aFailingBusLosesNothing() async throws {
        let (database, _) = try await TestDatabase.make()
        try await database.write { try Outbox.append([Self.event(1), Self.event(2)], in: $0) }
        let bus = RecordingEventBus()
        bus.failNext(1)
        let relay = OutboxRelay(outbox: Outbox(database: database), bus: bus, metrics: MetricsRegistry(), logger: TestDatabase.logger)
        await #expect(throws: RecordingEventBus.BusUnavailable.self) { try await relay.flush() }
        #expect(try await Outbox(database: database).backlog().count == 2)
        try await relay.flush()
        #expect(bus.published.map(\.subject) == ["s1", "s2"])
        await database.close()
    }

    @Test func anInboxAppliesARedeliveredEventOnce() async throws {
        let (database, _) = try await TestDatabase.make()
        try await database.write { try $0.execute("CREATE TABLE seen (n INTEGER)") }
        let inbox = EventInbox(database: database, consumer: "counter")
        let event = Self.event(7)
        for _ in 0..<3 {
            try await inbox.process(event) { tx in try tx.execute("INSERT INTO seen VALUES (7)") }
        }
        let rows = try await database.read { try $0.query("SELECT COUNT(*) AS n FROM seen") }
        #expect(rows.first?.column("n")?.integer == 1)
        await database.close()
    }
}

@Suite struct OutboxRelayTests {
    @Test func eventsOfManyTransactionsArriveInCommitOrder() async throws {
        let (database, _) = try await TestDatabase.make()
        var expected: [EventEnvelope] = []
        for n in 0..<20 {
            let events = [OutboxTests.event(n * 2), OutboxTests.event(n * 2 + 1)]
            expected += events
            try await database.write { try Outbox.append(events, in: $0) }
        }
        let bus = RecordingEventBus()
        try await OutboxRelay(outbox: Outbox(database: database), bus: bus, metrics: MetricsRegistry(), logger: TestDatabase.logger, batchSize: 7).flush()
        #expect(bus.published.map(\.id) == expected.map(\.id))
        await database.close()
    }

    @Test func aProcessRelaysOnlyTheEventsOfItsOwnServices() async throws {
        let (database, _) = try await TestDatabase.make()
        let fromUsers = EventEnvelope(type: "users.user.created.v1", source: "users", payload: Data("{}".utf8))
        let fromTransactions = EventEnvelope(type: "transactions.sale.posted.v1", source: "transactions", payload: Data("{}".utf8))
        try await database.write { try Outbox.append([fromUsers, fromTransactions], in: $0) }
        let bus = RecordingEventBus()
        let usersOutbox = Outbox(database: database, sources: ["users"])
        try await OutboxRelay(outbox: usersOutbox, bus: bus, metrics: MetricsRegistry(), logger: TestDatabase.logger).flush()
        #expect(bus.published == [fromUsers])
        #expect(try await Outbox(database: database, sources: ["transactions"]).pending(limit: 10).events == [fromTransactions])
        await database.close()
    }

    @Test func aCommitWakesTheRelayAndShutdownDeliversTheRest() async throws {
        let (database, _) = try await TestDatabase.make()
        let bus = RecordingEventBus()
        // A poll interval far beyond the test: only the commit can wake the relay in time.
        let relay = OutboxRelay(
            outbox: Outbox(database: database), bus: bus, metrics: MetricsRegistry(), logger: TestDatabase.logger,
            pollInterval: .seconds(600))
        let group = ServiceGroup(services: [relay], logger: TestDatabase.logger)
        let running = Task { try await group.run() }
        try await Task.sleep(for: .milliseconds(50))
        let first = OutboxTests.event(1)
        try await database.write { try Outbox.append([first], in: $0) }
        let deadline = ContinuousClock.now + .seconds(5)
        while bus.published.isEmpty, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(bus.published == [first])
        bus.failNext(1)  // the next wake-up fails; the event waits for the shutdown delivery
        let second = OutboxTests.event(2)
        try await database.write { try Outbox.append([second], in: $0) }
        // Shut down only once the commit's wake-up has met the failure (a busy machine is slow to wake).
        while bus.failuresLeft > 0, ContinuousClock.now < deadline + .seconds(5) { try await Task.sleep(for: .milliseconds(5)) }
        await group.triggerGracefulShutdown()
        try await running.value
        #expect(bus.published == [first, second])
        await database.close()
    }
}
