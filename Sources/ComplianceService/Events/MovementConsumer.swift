import ERPKernel
import Foundation
import Platform
import ServiceRuntime
import Synchronization

/// Copies every posted transaction and its stock movements from the transactions service's
/// events into the trace tables; a reversal marks the transaction it reverses. Idempotent
/// through the event inbox.
struct MovementConsumer: Sendable {
    let inbox: EventInbox

    static let typePrefixes = ["transactions.transaction.posted.", "transactions.transaction.reversed.", "transactions.stock.changed."]

    private struct Posted: Decodable, Sendable {
        let kind: String
        let date: String
        let partnerId: EntityID?
        let reversesId: EntityID?
    }

    private struct StockChanged: Decodable {
        let movements: [Movement]
    }

    private struct Movement: Decodable, Sendable {
        let articleId: EntityID
        let batchId: EntityID
        let quantity: String
    }

    var subscriber: EventSubscriber {
        EventSubscriber(name: "compliance.movements", typePrefixes: Self.typePrefixes) { events in try await handle(events) }
    }

    private enum Change: Sendable {
        case posted(Posted)
        case stock([Movement])
    }

    /// One write for the whole batch, in the events' order. A sale's posting and its movements
    /// usually come in the same batch: the movements then take the posting's fields from it,
    /// without asking the table, and the posting need not write them into the movements again.
    func handle(_ events: [EventEnvelope]) async throws {
        let readable = events.compactMap { event -> (event: EventEnvelope, item: (TenantID, EntityID, Change))? in
            guard let tenant = event.tenantID, let transaction = event.subject.flatMap(EntityID.init) else { return nil }
            if event.type.hasPrefix("transactions.stock."),
                let changed = try? JSONCoding.decoder.decode(StockChanged.self, from: event.payload)
            {
                return (event, (tenant, transaction, .stock(changed.movements)))
            }
            guard let posted = try? JSONCoding.decoder.decode(Posted.self, from: event.payload) else { return nil }
            return (event, (tenant, transaction, .posted(posted)))
        }
        // A transaction posted once in the batch and not reversed in it: its movements' fields are
        // the posting's (else the table's, as the events before the batch left it).
        var postings: [BatchKey: [Posted]] = [:]
        var reversed = Set<BatchKey>()
        for (_, (tenant, transaction, change)) in readable {
            guard case .posted(let posted) = change else { continue }
            postings[BatchKey(tenant: tenant, transaction: transaction), default: []].append(posted)
            if let reverses = posted.reversesId { reversed.insert(BatchKey(tenant: tenant, transaction: reverses)) }
        }
        let batch = postings.compactMapValues { $0.count == 1 ? $0[0] : nil }.filter { !reversed.contains($0.key) }
        // Transactions whose movements this batch wrote with their posting's fields.
        let complete = Mutex(Set<BatchKey>())
        // Postings whose movements were written before: their fields go into them at the end of
        // the batch, unless the batch writes the movements with them after all.
        let unfilled = Mutex([BatchKey: Posted]())
        try await inbox.processEach(readable) { tx, item in
            let key = BatchKey(tenant: item.0, transaction: item.1)
            switch item.2 {
            case .posted(let posted):
                try Self.record(posted, transaction: item.1, tenant: item.0, in: tx)
                if !complete.withLock({ $0.contains(key) }) { unfilled.withLock { $0[key] = posted } }
            case .stock(let movements):
                let wrote = try Self.record(movements, transaction: item.1, tenant: item.0, posting: batch[key], in: tx)
                if wrote, batch[key] != nil {
                    complete.withLock { _ = $0.insert(key) }
                    unfilled.withLock { _ = $0.removeValue(forKey: key) }
                }
            }
        } finish: { tx in
            for (key, posted) in unfilled.withLock({ $0 }) {
                try tx.execute(
                    "UPDATE trace_movements SET kind = ?, date = ?, partner_id = ? WHERE tenant_id = ? AND transaction_id = ?",
                    [.text(posted.kind), .text(posted.date), posted.partnerId.map { .text($0.description) } ?? .null,
                     .text(key.tenant.description), .text(key.transaction.description)])
            }
        }
    }

    private struct BatchKey: Hashable, Sendable {
        let tenant: TenantID
        let transaction: EntityID
    }

    /// The movements, in one statement, with the posting's fields: from the batch, else from the
    /// table (the posting's event came first, in commit order); should it come later, it fills them in.
    /// - Returns: whether there were movements to write.
    private static func record(_ movements: [Movement], transaction: EntityID, tenant: TenantID, posting: Posted?, in tx: any SQLExecutor) throws -> Bool {
        let tenantValue = DatabaseValue.text(tenant.description)
        let id = DatabaseValue.text(transaction.description)
        let fields: [DatabaseValue]
        if let posting {
            fields = [.text(posting.kind), .text(posting.date), posting.partnerId.map { .text($0.description) } ?? .null, .integer(0)]
        } else {
            let row = try tx.query(
                "SELECT kind, date, partner_id, reversed FROM trace_transactions WHERE tenant_id = ? AND id = ?", [tenantValue, id]
            ).first
            fields = [row?["kind"] ?? .text(""), row?["date"] ?? .text(""), row?["partner_id"] ?? .null, row?["reversed"] ?? .integer(0)]
        }
        let rows = movements.enumerated().compactMap { line, movement -> [DatabaseValue]? in
            guard let quantity = Quantity.parse(signed: movement.quantity) else { return nil }
            return [tenantValue, id, .integer(line + 1), .text(movement.batchId.description), .text(movement.articleId.description), .integer(quantity)] + fields
        }
        guard !rows.isEmpty else { return false }
        try tx.execute(
            """
            INSERT INTO trace_movements
                (tenant_id, transaction_id, line, batch_id, article_id, quantity_milli, kind, date, partner_id, reversed)
            VALUES \(Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", count: rows.count).joined(separator: ", "))
            ON CONFLICT (tenant_id, transaction_id, line) DO UPDATE SET batch_id = excluded.batch_id, article_id = excluded.article_id,
                quantity_milli = excluded.quantity_milli, kind = excluded.kind, date = excluded.date, partner_id = excluded.partner_id,
                reversed = excluded.reversed
            """,
            rows.flatMap { $0 })
        return true
    }

    /// The posting, and the reversal it makes; its movements get its fields elsewhere (`handle`).
    private static func record(_ posted: Posted, transaction: EntityID, tenant: TenantID, in tx: any SQLExecutor) throws {
        let tenantValue = DatabaseValue.text(tenant.description)
        let id = DatabaseValue.text(transaction.description)
        try tx.execute(
            """
            INSERT INTO trace_transactions (tenant_id, id, kind, date, partner_id, reversed) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (tenant_id, id) DO UPDATE SET kind = excluded.kind, date = excluded.date, partner_id = excluded.partner_id,
                reversed = excluded.reversed
            """,
            [tenantValue, id, .text(posted.kind), .text(posted.date), posted.partnerId.map { .text($0.description) } ?? .null, .integer(0)])
        if let reversed = posted.reversesId {
            for (table, key) in [("trace_transactions", "id"), ("trace_movements", "transaction_id")] {
                try tx.execute("UPDATE \(table) SET reversed = 1 WHERE tenant_id = ? AND \(key) = ?", [tenantValue, .text(reversed.description)])
            }
        }
    }
}
