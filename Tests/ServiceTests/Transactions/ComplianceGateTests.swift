import ERPKernel
import ERPTesting
import Foundation
import Platform
import ServiceRuntime
import Synchronization
import Testing
@testable import TransactionService

/// The port "may these batches move?": a refusal stops the sale and names batch and reason.
@Suite struct ComplianceGateTests {
    struct RecallingClearance: BatchClearance {
        let recalled: EntityID
        let asked = AskedBatches()
        func refusals(for batches: [BatchMovement], tenant: TenantID) async throws -> [BatchRefusal] {
            asked.record(batches.map(\.batchID))
            return batches.filter { $0.batchID == recalled }.map {
                BatchRefusal(batchID: $0.batchID, reason: .recalled, detail: "Rückruf 2026-17 (Salmonellen)")
            }
        }
    }

    final class AskedBatches: Sendable {
        private let ids = Mutex<[EntityID]>([])
        func record(_ batch: [EntityID]) { ids.withLock { $0 += batch } }
        var all: [EntityID] { ids.withLock { $0 } }
    }

    @Test func aRecalledBatchMayNotBeSoldButMayBeReceived() async throws {
        let (database, _) = try await TestDatabase.make()
        try await Migrator(database: database, logger: TestDatabase.logger).apply(TransactionServiceModule.migrations(for: database.dialect))
        let tenant = TenantID(.generate())
        let now = Date()
        let article = Article(id: .generate(), sku: "MF-1", name: "Milchleistungsfutter", category: .feed, baseUnit: .kg, taxCode: "DE7",
                              psmApprovalNumber: nil, psmApprovalExpiresOn: nil, active: true, createdAt: now, updatedAt: now, version: 1)
        let batch = Batch(id: .generate(), articleId: article.id, batchNumber: "MF-2026-33", supplierBatchRef: nil, producedOn: nil,
                          expiresOn: nil, predecessors: [], createdAt: now)
        let location = EntityID.generate()
        let warehouse = Warehouse(id: .generate(), code: "L1", name: "Lager", locations: [StorageLocation(id: location, code: "B1", kind: .bin, capacity: nil)], createdAt: now)
        let customer = Partner(id: .generate(), name: "Hof", roles: [.customer], address: Address(country: "DE"), vatId: nil,
                               paymentTermsDays: 30, creditLimitMinor: nil, createdAt: now, updatedAt: now, version: 1)
        let clearance = RecallingClearance(recalled: batch.id)
        let module = TransactionServiceModule(environment: TestEnvironment.make(database: database), clearance: clearance)
        try await module.masterData.insert(.articles, tenant: tenant, id: article.id, columns: ["sku": .text("MF-1"), "name": .text("x"), "category": .text("feed")], document: article, events: [])
        try await module.masterData.insert(.batches, tenant: tenant, id: batch.id, columns: ["article_id": .text(article.id.description), "batch_number": .text("MF-2026-33")], document: batch, events: [])
        try await module.masterData.insert(.partners, tenant: tenant, id: customer.id, columns: ["name": .text("Hof")], document: customer, events: [])
        try await module.masterData.insert(.warehouses, tenant: tenant, id: warehouse.id, columns: ["code": .text("L1")], document: warehouse, events: []) { tx in
            try tx.execute("INSERT INTO storage_locations (tenant_id, id, warehouse_id, code) VALUES (?, ?, ?, 'B1')",
                           [.text(tenant.description), .text(location.description), .text(warehouse.id.description)])
        }
        func request(_ kind: TransactionKind, partner: EntityID?) throws -> BusinessTransaction {
            let item = TransactionItem(articleId: article.id, batchId: batch.id, locationId: location, toLocationId: nil, quantity: "100",
                                       unit: nil, unitPrice: "0.40", taxCode: nil, role: nil)
            return BusinessTransaction(id: .generate(), kind: kind, status: .draft, partnerId: partner, date: "2026-11-25", reference: nil,
                                       currency: "EUR", items: [item], totals: .zero, createdBy: .generate(), createdAt: now)
        }
        let receipt = try await module.processor.post(try request(.goodsReceipt, partner: nil), tenant: tenant, trace: nil, key: nil, stored: false)
        #expect(receipt.status == 201)
        #expect(clearance.asked.all.isEmpty, "receiving goods does not ask the gate")
        await #expect { _ = try await module.processor.post(try request(.sale, partner: customer.id), tenant: tenant, trace: nil, key: nil, stored: false) } throws: { error in
            guard let problem = error as? Problem else { return false }
            return problem.status == 422 && problem.invalidParams.map(\.name) == ["items[0].batchId"]
                && problem.invalidParams[0].reason.contains("MF-2026-33") && problem.invalidParams[0].reason.contains("recalled")
        }
        #expect(clearance.asked.all == [batch.id])
        await database.close()
    }
}
