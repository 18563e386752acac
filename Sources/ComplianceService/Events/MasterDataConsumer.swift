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

    private struct Record: Decodable {
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

    private struct Address: Decodable {
        let city: String?
    }

    var subscriber: EventSubscriber {
        EventSubscriber(name: "compliance.master-data", typePrefixes: Self.typePrefixes) { event in try await handle(event) }
    }

    func handle(_ event: EventEnvelope) async throws {
        guard let tenant = event.tenantID else { return }
        // A payload this consumer cannot read is skipped, not retried forever: it never will be readable.
        guard let record = try? JSONCoding.decoder.decode(Announcement.self, from: event.payload).record else { return }
        let tenantValue = DatabaseValue.text(tenant.description)
        try await inbox.process(event) { tx in
            if event.type.hasPrefix("transactions.batch."), let article = record.articleId, let number = record.batchNumber {
                try BatchStatusStore.register(record.id, article: article, number: number, tenant: tenant, in: tx)
                for predecessor in record.predecessors ?? [] {
                    try tx.execute(
                        "INSERT OR IGNORE INTO trace_batch_links (tenant_id, batch_id, predecessor_id) VALUES (?, ?, ?)",
                        [tenantValue, .text(record.id.description), .text(predecessor.description)])
                }
            } else if event.type.hasPrefix("transactions.article."), let sku = record.sku, let name = record.name {
                try tx.execute(
                    "INSERT OR REPLACE INTO trace_articles (tenant_id, id, sku, name, base_unit) VALUES (?, ?, ?, ?, ?)",
                    [tenantValue, .text(record.id.description), .text(sku), .text(name), .text(record.baseUnit ?? "")])
                if let number = record.psmApprovalNumber { try PSMRegister.link(record.id, to: number, tenant: tenant, in: tx) }
            } else if event.type.hasPrefix("transactions.partner."), let name = record.name {
                try tx.execute(
                    "INSERT OR REPLACE INTO trace_partners (tenant_id, id, name, city) VALUES (?, ?, ?, ?)",
                    [tenantValue, .text(record.id.description), .text(name), record.address?.city.map { .text($0) } ?? .null])
            }
        }
        if event.type.hasPrefix("transactions.article."), let number = record.psmApprovalNumber {
            gate.clearance(tenant).link(record.id, to: number)
        }
    }
}
