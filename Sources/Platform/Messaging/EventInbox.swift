import Foundation
import ERPKernel

/// Makes a consumer idempotent: the event ID is recorded in the same transaction as the
/// consumer's effect, so a redelivered event is recognised and skipped.
public struct EventInbox: Sendable {
    public let database: SQLiteDatabase
    public let consumer: String

    public init(database: SQLiteDatabase, consumer: String) {
        self.database = database
        self.consumer = consumer
    }

    /// Runs `apply` for an event this consumer has not processed yet, atomically with recording it.
    /// - Returns: `false` when the event had been processed before and nothing ran.
    @discardableResult
    public func process(_ event: EventEnvelope, apply: @escaping @Sendable (SQLiteExecutor) throws -> Void) async throws -> Bool {
        try await database.write { tx in
            try tx.execute(
                "INSERT OR IGNORE INTO processed_events (consumer, event_id, processed_at) VALUES (?, ?, ?)",
                [.text(consumer), .text(event.id.description), .text(RFC3339.string(from: Date()))])
            guard tx.changes() == 1 else { return false }
            try apply(tx)
            return true
        }
    }
}
