import Foundation
import ERPKernel
import SQLiteNIO

/// Reads and writes the `outbox_events` table of one database.
public struct Outbox: Sendable {
    public let database: SQLiteDatabase

    public init(database: SQLiteDatabase) { self.database = database }

    /// Appends events inside the caller's write transaction, so they commit with the state change
    /// they describe or not at all.
    public static func append(_ events: [EventEnvelope], in tx: SQLiteExecutor) async throws {
        for event in events {
            try await tx.execute(
                """
                INSERT INTO outbox_events (id, type, source, tenant_id, subject, occurred_at_ms, trace_id, payload)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [.text(event.id.description), .text(event.type), .text(event.source),
                 event.tenantID.map { .text($0.description) } ?? .null, event.subject.map { .text($0) } ?? .null,
                 .integer(Int((event.occurredAt.timeIntervalSince1970 * 1000).rounded())),
                 event.traceID.map { .text($0) } ?? .null, .blob(.init(bytes: event.payload))])
        }
    }

    /// The oldest unpublished events, in commit order.
    public func pending(limit: Int) async throws -> [(seq: Int, event: EventEnvelope)] {
        let rows = try await database.read { reader in
            try await reader.query(
                """
                SELECT seq, id, type, source, tenant_id, subject, occurred_at_ms, trace_id, payload
                FROM outbox_events WHERE published_at IS NULL ORDER BY seq LIMIT ?
                """, [.integer(limit)])
        }
        return rows.compactMap { row in
            guard let seq = row.column("seq")?.integer, let id = row.column("id")?.string.flatMap(EntityID.init),
                let type = row.column("type")?.string, let source = row.column("source")?.string,
                let occurredMilliseconds = row.column("occurred_at_ms")?.integer,
                let payload = row.column("payload")?.blob
            else { return nil }
            let event = EventEnvelope(
                id: id, type: type, source: source, tenantID: row.column("tenant_id")?.string.flatMap(TenantID.init),
                subject: row.column("subject")?.string,
                occurredAt: Date(timeIntervalSince1970: Double(occurredMilliseconds) / 1000),
                traceID: row.column("trace_id")?.string, payload: Data(payload.readableBytesView))
            return (seq, event)
        }
    }

    /// Marks events up to and including `seq` as published.
    public func markPublished(throughSeq seq: Int) async throws {
        try await database.write { tx in
            try await tx.execute(
                "UPDATE outbox_events SET published_at = ? WHERE published_at IS NULL AND seq <= ?",
                [.text(RFC3339.string(from: Date(), fractionalSeconds: true)), .integer(seq)])
        }
    }

    /// Count of unpublished events and the age of the oldest, for the lag metrics.
    public func backlog() async throws -> (count: Int, oldestAgeSeconds: Double) {
        let rows = try await database.read { reader in
            try await reader.query(
                "SELECT COUNT(*) AS n, MIN(occurred_at_ms) AS oldest FROM outbox_events WHERE published_at IS NULL")
        }
        let count = rows.first?.column("n")?.integer ?? 0
        let oldest = rows.first?.column("oldest")?.integer.map { Date(timeIntervalSince1970: Double($0) / 1000) }
        return (count, oldest.map { max(0, Date().timeIntervalSince($0)) } ?? 0)
    }
}
