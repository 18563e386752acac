import ERPKernel
import Foundation
import Platform
import ServiceRuntime

/// Learns from the transactions service's master-data events which batches exist (article,
/// number, predecessors), which approval covers a crop-protection article, and the names of
/// articles and partners for trace reports. Idempotent through the event inbox.
struct MasterDataConsumer: Sendable {
    let inbox: EventInbox
    let gate: ComplianceGate

    static let typePrefixes = ["transactions.batch.created.", "transactions.article.", "transactions.partner."]

    private struct Announcement: Decodable {
        let record: Record
    }

    private struct Record: Decodable, Sendable {
        let id: EntityID
        let articleId: EntityID?
        let batchNumber: String?
        let predecessors: [EntityID]?
        let psmApprovalNumber: String?
        let sku: String?
        let name: String?
        let baseUnit: String?
        let address: Address?
    }

    private struct Address: Decodable, Sendable {
        let city: String?
    }

    var subscriber: EventSubscriber {
        EventSubscriber(name: "compliance.master-data", typePrefixes: Self.typePrefixes) { events in try await handle(events) }
    }

    /// One write for the whole batch. A payload this consumer cannot read is passed over, not
    /// retried forever: it never will be readable.
    func handle(_ events: [EventEnvelope]) async throws {
        let readable = events.compactMap { event -> (event: EventEnvelope, item: (String, TenantID, Record))? in
            guard let tenant = event.tenantID, let record = try? JSONCoding.decoder.decode(Announcement.self, from: event.payload).record
            else { return nil }
            return (event, (event.type, tenant, record))
        }
        let applied = try await inbox.processEach(readable) { tx, item in try Self.apply(item.0, item.2, tenant: item.1, in: tx) }
        // Only events that ran now: a redelivered old one must not move a link back.
        for (type, tenant, record) in applied where type.hasPrefix("transactions.article.") {
            if let number = record.psmApprovalNumber { gate.clearance(tenant).link(record.id, to: number) }
        }
    }

    private static func apply(_ type: String, _ record: Record, tenant: TenantID, in tx: any SQLExecutor) throws {
        let tenantValue = DatabaseValue.text(tenant.description)
        if type.hasPrefix("transactions.batch."), let article = record.articleId, let number = record.batchNumber {
            try BatchStatusStore.register(record.id, article: article, number: number, tenant: tenant, in: tx)
            for predecessor in record.predecessors ?? [] {
                try tx.execute(
                    "INSERT INTO trace_batch_links (tenant_id, batch_id, predecessor_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    [tenantValue, .text(record.id.description), .text(predecessor.description)])
            }
        } else if type.hasPrefix("transactions.article."), let sku = record.sku, let name = record.name {
            try tx.execute(
                """
                INSERT INTO trace_articles (tenant_id, id, sku, name, base_unit) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (tenant_id, id) DO UPDATE SET sku = excluded.sku, name = excluded.name, base_unit = excluded.base_unit
                """,
                [tenantValue, .text(record.id.description), .text(sku), .text(name), .text(record.baseUnit ?? "")])
            if let number = record.psmApprovalNumber { try PSMRegister.link(record.id, to: number, tenant: tenant, in: tx) }
        } else if type.hasPrefix("transactions.partner."), let name = record.name {
            try tx.execute(
                """
                INSERT INTO trace_partners (tenant_id, id, name, city) VALUES (?, ?, ?, ?)
                ON CONFLICT (tenant_id, id) DO UPDATE SET name = excluded.name, city = excluded.city
                """,
                [tenantValue, .text(record.id.description), .text(name), record.address?.city.map { .text($0) } ?? .null])
        }
    }
}
