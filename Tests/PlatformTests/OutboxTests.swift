import ERPKernel
import Foundation
import Logging
import Platform
import Testing
import ERPTesting

@Suite struct OutboxTests {
    static func event(_ n: Int) -> EventEnvelope {
        EventEnvelope(type: "test.happened.v1", source: "test", subject: "s\(n)", traceID: "t\(n)", payload: Data("{\"n\":\(n)}".utf8))
    }

    @Test func eventsCommitWithTheirTransactionOrNotAtAll() async throws {
        let (database, _) = try await TestDatabase.make()
        try await database.write { try await Outbox.append([Self.event(1)], in: $0) }
        struct Abort: Error {}
        _ = try? await database.write { tx in
            try await Outbox.append([Self.event(2)], in: tx)
            throw Abort()
        }
        let pending = try await Outbox(database: database).pending(limit: 10)
        #expect(pending.map(\.event.subject) == ["s1"])
        await database.close()
    }

    @Test func theRelayDeliversInCommitOrderAndMarksDelivered() async throws {
        let (database, _) = try await TestDatabase.make()
        let events = (1...300).map(Self.event)
        try await database.write { try await Outbox.append(events, in: $0) }
        let bus = RecordingEventBus()
        let relay = OutboxRelay(outbox: Outbox(database: database), bus: bus, metrics: MetricsRegistry(), logger: TestDatabase.logger, batchSize: 64)
        try await relay.flush()
        #expect(bus.published.map(\.id) == events.map(\.id))
        #expect(bus.published.first == events.first)
        #expect(try await Outbox(database: database).pending(limit: 10).isEmpty)
        await database.close()
    }

    @Test func aFailingBusLosesNothing() async throws {
        let (database, _) = try await TestDatabase.make()
        try await database.write { try await Outbox.append([Self.event(1), Self.event(2)], in: $0) }
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
        try await database.write { try await $0.execute("CREATE TABLE seen (n INTEGER)") }
        let inbox = EventInbox(database: database, consumer: "counter")
        let event = Self.event(7)
        for _ in 0..<3 {
            try await inbox.process(event) { tx in try await tx.execute("INSERT INTO seen VALUES (7)") }
        }
        let rows = try await database.read { try await $0.query("SELECT COUNT(*) AS n FROM seen") }
        #expect(rows.first?.column("n")?.integer == 1)
        await database.close()
    }
}
