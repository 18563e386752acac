import Foundation
import ERPKernel

/// Makes a consumer idempotent: the event ID is recorded in the same transaction as the
/// consumer's effect, so a redelivered event is recognised and skipped.
public struct EventInbox: Sendable {
    public let database: any SQLDatabase
    public let consumer: String

    public init(database: any SQLDatabase, consumer: String) {
        self.database = database
        self.consumer = consumer
    }

    /// Runs `apply` for an event this consumer has not processed yet, atomically with recording it.
    /// - Returns: `false` when the event had been processed before and nothing ran.
    @discardableResult
    public func process(_ event: EventEnvelope, apply: @escaping @Sendable (any SQLExecutor) throws -> Void) async throws -> Bool {
        try await processEach([(event, ())]) { tx, _ in try apply(tx) }.count == 1
    }

    /// Runs `apply` for each event not processed yet, all in one write with their records: a
    /// batch costs one commit instead of one per event.
    /// - Returns: the items that ran (the others had been processed before).
    @discardableResult
    public func processEach<Item: Sendable>(
        _ items: [(event: EventEnvelope, item: Item)], apply: @escaping @Sendable (any SQLExecutor, Item) throws -> Void
    ) async throws -> [Item] {
        guard !items.isEmpty else { return [] }
        return try await database.write { tx in
            let now = DatabaseValue.text(RFC3339.string(from: Date()))
            var applied: [Item] = []
            for (event, item) in items {
                try tx.execute(
                    "INSERT INTO processed_events (consumer, event_id, processed_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    [.text(consumer), .text(event.id.description), now])
                guard try tx.changes() == 1 else { continue }
                try apply(tx, item)
                applied.append(item)
            }
            return applied
        }
    }
}
