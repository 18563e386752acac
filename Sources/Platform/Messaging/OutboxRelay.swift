import ERPKernel
import Logging
import ServiceLifecycle

/// Drains one database's outbox into the bus, in commit order, at least once.
///
/// Runs as a lifecycle service: it wakes on `notify()` after a commit or every poll interval,
/// backs off while the bus fails, and on graceful shutdown delivers what is pending before it
/// returns (the outbox keeps whatever it could not deliver for the next start).
public final class OutboxRelay: Service {
    public let outbox: Outbox
    private let bus: any EventBus
    private let batchSize: Int
    private let pollInterval: Duration
    private let wakeup = Wakeup()
    private let logger: Logger
    private let metrics: MetricsRegistry

    /// - Parameters:
    ///   - batchSize: events per bus call (default 256).
    ///   - pollInterval: longest time between two looks at the outbox (default 250 ms).
    public init(
        outbox: Outbox, bus: any EventBus, metrics: MetricsRegistry, logger: Logger,
        batchSize: Int = 256, pollInterval: Duration = .milliseconds(250)
    ) {
        self.outbox = outbox
        self.bus = bus
        self.batchSize = batchSize
        self.pollInterval = pollInterval
        self.logger = logger
        self.metrics = metrics
    }

    /// Tells the relay that new events were committed.
    public func notify() { wakeup.signal() }

    public func run() async throws {
        var failures = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                while try await deliverBatch() == batchSize, !Task.isCancelled {}
                failures = 0
                try await recordBacklog()
                await cancelWhenGracefulShutdown { await self.wakeup.wait(timeout: self.pollInterval) }
            } catch {
                failures += 1
                let backoffMilliseconds = min(5_000, 50 << min(failures, 7))
                logger.warning(
                    "outbox delivery failed; retrying",
                    metadata: ["db.name": .string(outbox.database.name), "error.message": .string("\(error)"),
                               "retry.backoff_ms": .stringConvertible(backoffMilliseconds)])
                try? await Task.sleep(for: .milliseconds(backoffMilliseconds))
            }
        }
        try await flush()
    }

    /// Delivers everything pending now; used at shutdown and by tests.
    public func flush() async throws {
        while try await deliverBatch() == batchSize {}
    }

    /// Publishes the outbox backlog (count and age of the oldest event) as the lag gauges.
    func recordBacklog() async throws {
        let backlog = try await outbox.backlog()
        let labels = [("database", outbox.database.name)]
        metrics.gauge("outbox_pending_events", labels: labels, help: "Events committed but not yet delivered.")
            .set(Double(backlog.count))
        metrics.gauge("outbox_lag_seconds", labels: labels, help: "Age of the oldest undelivered event.")
            .set(backlog.oldestAgeSeconds)
    }

    /// - Returns: the number of events delivered.
    @discardableResult
    func deliverBatch() async throws -> Int {
        let batch = try await outbox.pending(limit: batchSize)
        guard let last = batch.last else { return 0 }
        try await bus.publish(batch.map(\.event))
        try await outbox.markPublished(throughSeq: last.seq)
        metrics.counter(
            "outbox_events_published_total", labels: [("database", outbox.database.name)],
            help: "Events the relay delivered from the outbox."
        ).increment(by: Int64(batch.count))
        return batch.count
    }
}
