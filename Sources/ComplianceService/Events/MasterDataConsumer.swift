import ERPKernel
import Foundation
import Platform
import ServiceRuntime

/// Learns from the transactions service's events which batches exist (article, number) and which
/// approval covers a crop-protection article. Idempotent through the event inbox.
struct MasterDataConsumer: Sendable {
    let inbox: EventInbox
    let gate: ComplianceGate

    static let typePrefixes = ["transactions.batch.created.", "transactions.article."]

    private struct Announcement: Decodable {
        let record: Record
    }

    private struct Record: Decodable {
        let id: EntityID
        let articleId: EntityID?
        let batchNumber: String?
        let psmApprovalNumber: String?
    }

    var subscriber: EventSubscriber {
        EventSubscriber(name: "compliance.master-data", typePrefixes: Self.typePrefixes) { event in try await handle(event) }
    }

    func handle(_ event: EventEnvelope) async throws {
        guard let tenant = event.tenantID else { return }
        // A payload this consumer cannot read is skipped, not retried forever: it never will be readable.
        guard let record = try? JSONCoding.decoder.decode(Announcement.self, from: event.payload).record else { return }
        try await inbox.process(event) { tx in
            if event.type.hasPrefix("transactions.batch."), let article = record.articleId, let number = record.batchNumber {
                try BatchStatusStore.register(record.id, article: article, number: number, tenant: tenant, in: tx)
            } else if let number = record.psmApprovalNumber {
                try PSMRegister.link(record.id, to: number, tenant: tenant, in: tx)
            }
        }
        if event.type.hasPrefix("transactions.article."), let number = record.psmApprovalNumber {
            gate.clearance(tenant).link(record.id, to: number)
        }
    }
}
