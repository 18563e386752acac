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
    /// batch costs one commit instead of one per event. `finish` runs last in that write, for
    /// what the applied items left to do together.
    /// - Returns: the items that ran (the others had been processed before).
    @discardableResult
    public func processEach<Item: Sendable>(
        _ items: [(event: EventEnvelope, item: Item)], apply: @escaping @Sendable (any SQLExecutor, Item) throws -> Void,
        finish: @escaping @Sendable (any SQLExecutor) throws -> Void = { _ in }
    ) async throws -> [Item] {
        guard !items.isEmpty else { return [] }
        let consumer = DatabaseValue.text(self.consumer)
        return try await database.write { tx in
            let now = DatabaseValue.text(RFC3339.string(from: Date()))
            // One statement per 500 events records them and names the ones not seen before: on a
            // database server, a round trip per batch rather than one per event.
            var fresh = Set<String>()
            var start = 0
            while start < items.count {
                let chunk = items[start..<min(start + 500, items.count)]
                let rows = try tx.query(
                    "INSERT INTO processed_events (consumer, event_id, processed_at) VALUES "
                        + Array(repeating: "(?, ?, ?)", count: chunk.count).joined(separator: ", ")
                        + " ON CONFLICT DO NOTHING RETURNING event_id",
                    chunk.flatMap { [consumer, .text($0.event.id.description), now] })
                fresh.formUnion(rows.compactMap { $0["event_id"].string })
                start += chunk.count
            }
            var applied: [Item] = []
            // Removed as it is applied: an event twice in one batch runs once.
            for (event, item) in items where fresh.remove(event.id.description) != nil {
                try apply(tx, item)
                applied.append(item)
            }
            try finish(tx)
            return applied
        }
    }
}
