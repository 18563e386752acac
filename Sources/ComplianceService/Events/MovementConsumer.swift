import ERPKernel
import Foundation
import Platform
import ServiceRuntime

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

    /// One write for the whole batch, in the events' order (a posting before its movements).
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
        try await inbox.processEach(readable) { tx, item in
            switch item.2 {
            case .posted(let posted): try Self.record(posted, transaction: item.1, tenant: item.0, in: tx)
            case .stock(let movements): try Self.record(movements, transaction: item.1, tenant: item.0, in: tx)
            }
        }
    }

    private static func record(_ movements: [Movement], transaction: EntityID, tenant: TenantID, in tx: any SQLExecutor) throws {
        let tenantValue = DatabaseValue.text(tenant.description)
        let id = DatabaseValue.text(transaction.description)
        // The posting's event came first (commit order); should it come later, it fills these in.
        let posting = try tx.query(
            "SELECT kind, date, partner_id, reversed FROM trace_transactions WHERE tenant_id = ? AND id = ?", [tenantValue, id]
        ).first
        for (line, movement) in movements.enumerated() {
            guard let quantity = Quantity.parse(signed: movement.quantity) else { continue }
            try tx.execute(
                """
                INSERT INTO trace_movements
                    (tenant_id, transaction_id, line, batch_id, article_id, quantity_milli, kind, date, partner_id, reversed)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (tenant_id, transaction_id, line) DO UPDATE SET batch_id = excluded.batch_id, article_id = excluded.article_id,
                    quantity_milli = excluded.quantity_milli, kind = excluded.kind, date = excluded.date, partner_id = excluded.partner_id,
                    reversed = excluded.reversed
                """,
                [tenantValue, id, .integer(line + 1), .text(movement.batchId.description), .text(movement.articleId.description),
                 .integer(quantity), posting?["kind"] ?? .text(""), posting?["date"] ?? .text(""), posting?["partner_id"] ?? .null,
                 posting?["reversed"] ?? .integer(0)])
        }
    }

    private static func record(_ posted: Posted, transaction: EntityID, tenant: TenantID, in tx: any SQLExecutor) throws {
        let tenantValue = DatabaseValue.text(tenant.description)
        let id = DatabaseValue.text(transaction.description)
        try tx.execute(
            """
            INSERT INTO trace_transactions (tenant_id, id, kind, date, partner_id, reversed) VALUES (?, ?, ?, ?, ?, 0)
            ON CONFLICT (tenant_id, id) DO UPDATE SET kind = excluded.kind, date = excluded.date, partner_id = excluded.partner_id,
                reversed = excluded.reversed
            """,
            [tenantValue, id, .text(posted.kind), .text(posted.date), posted.partnerId.map { .text($0.description) } ?? .null])
        try tx.execute(
            "UPDATE trace_movements SET kind = ?, date = ?, partner_id = ? WHERE tenant_id = ? AND transaction_id = ?",
            [.text(posted.kind), .text(posted.date), posted.partnerId.map { .text($0.description) } ?? .null, tenantValue, id])
        if let reversed = posted.reversesId {
            for (table, key) in [("trace_transactions", "id"), ("trace_movements", "transaction_id")] {
                try tx.execute("UPDATE \(table) SET reversed = 1 WHERE tenant_id = ? AND \(key) = ?", [tenantValue, .text(reversed.description)])
            }
        }
    }
}
