import ERPKernel
import ERPTesting
import Foundation
import Platform
import Synchronization
import Testing
@testable import AuditService

/// The trail loses nothing while the audit service is down: events wait in the producer's
/// outbox, and each arrives exactly once when it is back.
@Suite struct AuditDeliveryTests {
    @Test func eventsCommittedWhileTheAuditServiceIsDownArriveExactlyOnceAfterItStarts() async throws {
        let (main, _) = try await TestDatabase.make(name: "main")
        let audit = try await AuditFixture.make()
        let consumer = Mutex(audit.consumer)
        let bus = InProcessEventBus()
        // Another consumer of the same events, which takes each batch as it comes.
        let otherDeliveries = Atomic<Int>(0)
        await bus.subscribe(EventSubscriber(name: "other", typePrefixes: ["transactions."], handleBatch: { events in
            otherDeliveries.add(events.count, ordering: .relaxed)
        }))
        await bus.subscribe(EventSubscriber(name: "audit.trail", typePrefixes: AuditedEvents.typePrefixes, handleBatch: { events in
            try await consumer.withLock { $0 }.handle(events)
        }))
        let relay = OutboxRelay(outbox: Outbox(database: main), bus: bus, metrics: MetricsRegistry(), logger: TestDatabase.logger)
        let events = audit.priceChanges(600)

        try await main.write { tx in try Outbox.append(Array(events[..<200]), in: tx) }
        try await relay.flush()
        // The audit service stops (its database closes) while the producer keeps committing.
        await audit.database.close()
        try await main.write { tx in try Outbox.append(Array(events[200..<400]), in: tx) }
        await #expect(throws: (any Error).self) { try await relay.flush() }
        try await main.write { tx in try Outbox.append(Array(events[400...]), in: tx) }
        await #expect(throws: (any Error).self) { try await relay.flush() }

        // It starts again on the same file.
        let reopened = try await TestDatabase.reopen(name: "audit", directory: audit.directory)
        let ledger = AuditLedger(database: reopened)
        consumer.withLock { $0 = AuditConsumer(ledger: ledger) }
        try await relay.flush()

        let stored = try await reopened.read { tx in
            try tx.query("SELECT event_id FROM audit_records ORDER BY seq").map { $0["event_id"].string! }
        }
        #expect(stored == events.map(\.id.description))
        #expect(otherDeliveries.load(ordering: .relaxed) > 600, "the failed batches were offered again to every consumer")
        let report = try await ledger.verify(tenant: audit.tenant)
        #expect(report.valid && report.records == 600)
        await reopened.close()
        await main.close()
    }
}
