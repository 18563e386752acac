import ERPKernel
import Foundation

/// Reads and writes the `outbox_events` table of one database.
///
/// Several services can share a database file, and in split mode several processes can; each
/// process relays only the events of the services it hosts (`sources`), because its bus reaches
/// only its own subscribers.
public struct Outbox: Sendable {
    public let database: any SQLDatabase
    /// The producing services whose events this outbox reads; `nil` for all of them.
    public let sources: [String]?

    public init(database: any SQLDatabase, sources: [String]? = nil) {
        self.database = database
        self.sources = sources
    }

    /// Appends events inside the caller's write transaction, so they commit with the state change
    /// they describe or not at all.
    public static func append(_ events: [EventEnvelope], in tx: any SQLExecutor) throws {
        if !events.isEmpty { tx.noteEventsWritten() }
        for event in events {
            try tx.execute(
                """
                INSERT INTO outbox_events (id, type, source, tenant_id, subject, occurred_at_ms, trace_id, payload)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [.text(event.id.description), .text(event.type), .text(event.source),
                 event.tenantID.map { .text($0.description) } ?? .null, event.subject.map { .text($0) } ?? .null,
                 .integer(Int((event.occurredAt.timeIntervalSince1970 * 1000).rounded())),
                 event.traceID.map { .text($0) } ?? .null, .blob(event.payload)])
        }
    }

    /// A slice of the undelivered events, in commit order.
    public struct Batch: Sendable {
        public var events: [EventEnvelope] = []
        /// Rows read, decodable or not; a full batch means more may wait.
        public var rowCount = 0
        /// The last row's sequence number: everything up to it is handled by this batch.
        public var lastSeq: Int?
        /// Rows that could not be read back (a damaged row); reported and passed over.
        public var unreadableSeqs: [Int] = []
    }

    /// The oldest undelivered events, in commit order.
    /// - Parameter seq: the last sequence number known to be delivered, if any. The search then
    ///   starts after it, past the index entries of the rows marked delivered (a busy outbox
    ///   leaves thousands of them a second until the server's vacuum removes them).
    public func pending(limit: Int, after seq: Int? = nil) async throws -> Batch {
        let (filter, binds) = sourceFilter(after: seq)
        let rows = try await database.read { reader in
            try reader.query(
                """
                SELECT seq, id, type, source, tenant_id, subject, occurred_at_ms, trace_id, payload
                FROM outbox_events WHERE published_at IS NULL\(filter) ORDER BY seq LIMIT ?
                """, binds + [.integer(limit)])
        }
        var batch = Batch(rowCount: rows.count)
        for row in rows {
            guard let seq = row.column("seq")?.integer else { continue }
            batch.lastSeq = seq
            guard let id = row.column("id")?.string.flatMap(EntityID.init),
                let type = row.column("type")?.string, let source = row.column("source")?.string,
                let occurredMilliseconds = row.column("occurred_at_ms")?.integer,
                let payload = row.column("payload")?.blob
            else {
                batch.unreadableSeqs.append(seq)
                continue
            }
            batch.events.append(
                EventEnvelope(
                    id: id, type: type, source: source, tenantID: row.column("tenant_id")?.string.flatMap(TenantID.init),
                    subject: row.column("subject")?.string,
                    occurredAt: Date(timeIntervalSince1970: Double(occurredMilliseconds) / 1000),
                    traceID: row.column("trace_id")?.string, payload: payload))
        }
        return batch
    }

    /// Marks this outbox's events up to and including `seq` as delivered; `earlier` as `seq` for
    /// `pending`.
    public func markPublished(throughSeq seq: Int, after earlier: Int? = nil) async throws {
        let (filter, binds) = sourceFilter(after: earlier)
        try await database.write { tx in
            try tx.execute(
                "UPDATE outbox_events SET published_at = ? WHERE published_at IS NULL AND seq <= ?\(filter)",
                [.text(RFC3339.string(from: Date(), fractionalSeconds: true)), .integer(seq)] + binds)
        }
    }

    /// Count of undelivered events and the age of the oldest, for the lag metrics; `seq` as for
    /// `pending`.
    public func backlog(after seq: Int? = nil) async throws -> (count: Int, oldestAgeSeconds: Double) {
        let (filter, binds) = sourceFilter(after: seq)
        let rows = try await database.read { reader in
            try reader.query(
                "SELECT COUNT(*) AS n, MIN(occurred_at_ms) AS oldest FROM outbox_events WHERE published_at IS NULL\(filter)",
                binds)
        }
        let count = rows.first?.column("n")?.integer ?? 0
        let oldest = rows.first?.column("oldest")?.integer.map { Date(timeIntervalSince1970: Double($0) / 1000) }
        return (count, oldest.map { max(0, Date().timeIntervalSince($0)) } ?? 0)
    }

    private func sourceFilter(after seq: Int? = nil) -> (String, [DatabaseValue]) {
        var filter = ""
        var binds: [DatabaseValue] = []
        if let seq {
            filter += " AND seq > ?"
            binds.append(.integer(seq))
        }
        if let sources {
            filter += " AND source IN (\(Array(repeating: "?", count: sources.count).joined(separator: ", ")))"
            binds += sources.map { .text($0) }
        }
        return (filter, binds)
    }
}
