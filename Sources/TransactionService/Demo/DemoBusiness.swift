import ERPKernel
import Foundation
import Platform

extension TransactionServiceModule {
    /// `serve --demo`: a Landhandel's master data and three months of business up to `today`
    /// (weekly purchases, sales on working days, payments). Returns the transactions posted.
    /// - Parameter qualityControl: called with the demo's articles and batches once they exist,
    ///   before any of them moves: the compliance service releases them there.
    public func seedDemoBusiness(
        tenant: TenantID, actor: EntityID, today: Date = Date(),
        qualityControl: ([(article: EntityID, batch: EntityID, approval: String?)]) async throws -> Void = { _ in }
    ) async throws -> Int {
        let now = Date.nowInWholeSeconds
        let silo = EntityID.generate()
        let hall = EntityID.generate()
        let warehouse = Warehouse(
            id: .generate(), code: "UELZEN", name: "Standort Uelzen",
            locations: [StorageLocation(id: silo, code: "SILO-1", kind: .silo, capacity: "800000"),
                        StorageLocation(id: hall, code: "HALLE-A", kind: .bin, capacity: nil)],
            createdAt: now)
        try await masterData.insert(.warehouses, tenant: tenant, id: warehouse.id, columns: ["code": .text(warehouse.code)], document: warehouse, events: []) { tx in
            for location in warehouse.locations {
                try tx.execute(
                    "INSERT INTO storage_locations (tenant_id, id, warehouse_id, code) VALUES (?, ?, ?, ?)",
                    [.text(tenant.description), .text(location.id.description), .text(warehouse.id.description), .text(location.code)])
            }
        }
        let catalogue: [(sku: String, name: String, category: ArticleCategory, unit: BaseUnit, tax: String, buy: String, sell: String, location: EntityID, approval: String?)] = [
            ("WW-TOBAK", "Winterweizen Tobak Z-Saatgut", .seed, .kg, "DE7", "0.62", "0.89", hall, nil),
            ("KAS-27", "Kalkammonsalpeter 27 % N", .fertiliser, .kg, "DE19", "0.38", "0.52", hall, nil),
            ("MLF-18", "Milchleistungsfutter 18/4", .feed, .kg, "DE7", "0.31", "0.44", silo, nil),
            ("FUNGI-X", "Fungizid Ascra Xpro", .psm, .l, "DE19", "38.50", "52.90", hall, "008640-00"),
        ]
        var stocked: [(article: EntityID, batch: EntityID, location: EntityID, buy: String, sell: String)] = []
        for entry in catalogue {
            let article = Article(
                id: .generate(), sku: entry.sku, name: entry.name, category: entry.category, baseUnit: entry.unit, taxCode: entry.tax,
                psmApprovalNumber: entry.approval, psmApprovalExpiresOn: entry.approval == nil ? nil : "2028-12-31", active: true,
                createdAt: now, updatedAt: now, version: 1)
            try await masterData.insert(
                .articles, tenant: tenant, id: article.id,
                columns: ["sku": .text(article.sku), "name": .text(article.name), "category": .text(article.category.rawValue)],
                document: article, events: [])
            let batch = Batch(
                id: .generate(), articleId: article.id, batchNumber: "\(entry.sku)-2026-01", supplierBatchRef: nil, producedOn: nil,
                expiresOn: nil, predecessors: [], createdAt: now)
            try await masterData.insert(
                .batches, tenant: tenant, id: batch.id,
                columns: ["article_id": .text(article.id.description), "batch_number": .text(batch.batchNumber)], document: batch, events: [])
            stocked.append((article.id, batch.id, entry.location, entry.buy, entry.sell))
        }
        try await qualityControl(zip(catalogue, stocked).map { ($1.article, $1.batch, $0.approval) })
        let supplier = Partner(
            id: .generate(), name: "Agravis Raiffeisen AG", roles: [.supplier], address: Address(street: "Plathnerstraße 4a", postalCode: "30175", city: "Hannover", country: "DE"),
            vatId: "DE115660452", paymentTermsDays: 30, creditLimitMinor: nil, createdAt: now, updatedAt: now, version: 1)
        let customers = ["Hof Meyer GbR", "Milchviehbetrieb Schulte", "Ackerbau Lüneburger Heide KG"].map {
            Partner(id: .generate(), name: $0, roles: [.customer], address: Address(city: "Uelzen", country: "DE"), vatId: nil,
                    paymentTermsDays: 14, creditLimitMinor: nil, createdAt: now, updatedAt: now, version: 1)
        }
        for partner in [supplier] + customers {
            try await masterData.insert(.partners, tenant: tenant, id: partner.id, columns: ["name": .text(partner.name)], document: partner, events: [])
        }
        var posted = 0
        let opening = BusinessTransaction(
            id: .generate(), kind: .purchase, status: .draft, partnerId: supplier.id,
            date: RFC3339.string(from: today.addingTimeInterval(-91 * 86_400)).prefix(10).description, reference: "Eröffnungsbestand",
            currency: "EUR", items: stocked.map { TransactionItem(articleId: $0.article, batchId: $0.batch, locationId: $0.location, quantity: "5000", unitPrice: $0.buy) },
            totals: .zero, createdBy: actor, createdAt: now)
        _ = try await processor.post(opening, tenant: tenant, trace: nil, key: nil, stored: false)
        posted += 1
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        for dayOffset in stride(from: -90, through: 0, by: 1) {
            guard let day = calendar.date(byAdding: .day, value: dayOffset, to: today),
                !calendar.isDateInWeekend(day)
            else { continue }
            let date = RFC3339.string(from: day).prefix(10).description
            func post(_ kind: TransactionKind, _ partner: EntityID?, _ items: [TransactionItem]) async throws {
                let transaction = BusinessTransaction(
                    id: .generate(), kind: kind, status: .draft, partnerId: partner, date: date, reference: nil, currency: "EUR",
                    items: items, totals: .zero, createdBy: actor, createdAt: now)
                _ = try await processor.post(transaction, tenant: tenant, trace: nil, key: nil, stored: false)
                posted += 1
            }
            if calendar.component(.weekday, from: day) == 2 {
                try await post(.purchase, supplier.id, stocked.map {
                    TransactionItem(articleId: $0.article, batchId: $0.batch, locationId: $0.location, quantity: $0.location == silo ? "20000" : "3000",
                                    unitPrice: $0.buy)
                })
            }
            if calendar.component(.weekday, from: day) == 6 {
                for customer in customers {
                    let open = try await queries.openItems(tenant: tenant, partner: customer.id, kind: .receivable, onlyOpen: true, page: PageRequest(limit: 500))
                    let amount = open.data.reduce(0) { $0 + $1.openMinor }
                    guard amount > 0 else { continue }
                    _ = try await ledger.record(
                        NewPaymentRequest(partnerId: customer.id, direction: .incoming, date: date, amountMinor: amount, currency: nil,
                                          account: nil, reference: "Überweisung", allocations: nil),
                        tenant: tenant, actor: actor, trace: nil, key: nil)
                }
            }
            let customer = customers[(dayOffset + 90) % customers.count]
            let goods = stocked[(dayOffset + 90) % stocked.count]
            try await post(.sale, customer.id, [
                TransactionItem(articleId: goods.article, batchId: goods.batch, locationId: goods.location, quantity: "250", unitPrice: goods.sell),
            ])
        }
        return posted
    }
}

extension TransactionItem {
    init(articleId: EntityID, batchId: EntityID, locationId: EntityID, quantity: String, unitPrice: String) {
        self.init(articleId: articleId, batchId: batchId, locationId: locationId, toLocationId: nil, quantity: quantity, unit: nil,
                  unitPrice: unitPrice, taxCode: nil, role: nil)
    }
}
