import ERPKernel
import Foundation
import Testing
@testable import TransactionService

/// The accounting rules without a database: random valid business keeps the books balanced and
/// the stock equal to its movements.
@Suite struct PostingEngineTests {
    /// A small Landhandel: two articles, two batches each, two locations, one customer, one supplier.
    struct Shop {
        let articles: [Article]
        let batches: [Batch]
        let locations: [EntityID]
        let customer: Partner
        let supplier: Partner
        var context: PostingContext

        init() {
            let now = Date()
            articles = [
                Article(id: .generate(), sku: "WW-A", name: "Winterweizen", category: .seed, baseUnit: .kg, taxCode: "DE7",
                        psmApprovalNumber: nil, psmApprovalExpiresOn: nil, active: true, createdAt: now, updatedAt: now, version: 1),
                Article(id: .generate(), sku: "KAS-27", name: "Kalkammonsalpeter", category: .fertiliser, baseUnit: .t, taxCode: "DE19",
                        psmApprovalNumber: nil, psmApprovalExpiresOn: nil, active: true, createdAt: now, updatedAt: now, version: 1),
            ]
            batches = articles.flatMap { article in
                (1...2).map { Batch(id: .generate(), articleId: article.id, batchNumber: "\(article.sku)-\($0)", supplierBatchRef: nil,
                                    producedOn: nil, expiresOn: nil, predecessors: [], createdAt: now) }
            }
            locations = [.generate(), .generate()]
            customer = Partner(id: .generate(), name: "Hof Meyer", roles: [.customer], address: Address(country: "DE"), vatId: nil,
                               paymentTermsDays: 30, creditLimitMinor: nil, createdAt: now, updatedAt: now, version: 1)
            supplier = Partner(id: .generate(), name: "BayWa", roles: [.supplier], address: Address(country: "DE"), vatId: nil,
                               paymentTermsDays: 14, creditLimitMinor: nil, createdAt: now, updatedAt: now, version: 1)
            context = PostingContext()
            for article in articles { context.articles[article.id] = article }
            for batch in batches { context.batches[batch.id] = batch }
            context.locations = Set(locations)
        }

        func transaction(_ kind: TransactionKind, partner: Partner?, items: [TransactionItem]) -> BusinessTransaction {
            BusinessTransaction(
                id: .generate(), kind: kind, status: .draft, partnerId: partner?.id, date: "2026-11-25", reference: nil, currency: "EUR",
                items: items, totals: .zero, createdBy: .generate(), createdAt: Date())
        }

        func item(_ batch: Batch, at location: EntityID, _ quantity: String, price: String? = nil, to target: EntityID? = nil) -> TransactionItem {
            TransactionItem(articleId: batch.articleId, batchId: batch.id, locationId: location, toLocationId: target, quantity: quantity,
                            unit: nil, unitPrice: price, taxCode: nil, role: nil)
        }

        /// Posts and carries the resulting state forward, as the database would.
        mutating func post(_ transaction: BusinessTransaction) throws(PostingRejection) -> PostingResult {
            var context = self.context
            context.partner = [customer, supplier].first { $0.id == transaction.partnerId }
            let result = try PostingEngine.post(transaction, in: context)
            self.context.stock = result.stock
            self.context.valuations = result.valuations
            return result
        }
    }

    @Test func randomValidBusinessKeepsTheTrialBalanceAtZeroAndStockEqualToItsMovements() throws {
        var random = SeededRandom(seed: 20261125)
        var shop = Shop()
        var balances: [String: Int] = [:]
        var movementSums: [StockKey: Int] = [:]
        var posted = 0
        for _ in 0..<2000 {
            let batch = shop.batches[Int(random.next() % UInt64(shop.batches.count))]
            let location = shop.locations[Int(random.next() % 2)]
            let quantity = "\(1 + random.next() % 500).\(random.next() % 1000)"
            let price = "\(random.next() % 90).\(random.next() % 10000)"
            let kinds: [TransactionKind] = [.purchase, .sale, .goodsReceipt, .goodsIssue, .transfer, .stockAdjustment, .return, .consumption]
            let kind = kinds[Int(random.next() % UInt64(kinds.count))]
            let item: TransactionItem = switch kind {
            case .transfer: shop.item(batch, at: location, quantity, to: shop.locations.first { $0 != location })
            case .goodsIssue, .consumption, .stockAdjustment: shop.item(batch, at: location, quantity, price: kind == .stockAdjustment ? price : nil)
            default: shop.item(batch, at: location, quantity, price: price)
            }
            let partner = kind.needsPartner == .supplier ? shop.supplier : kind.needsPartner == .customer ? shop.customer : nil
            guard let result = try? shop.post(shop.transaction(kind, partner: partner, items: [item])) else { continue }
            posted += 1
            #expect(result.lines.isBalanced, "\(kind) produced an unbalanced entry")
            for line in result.lines { balances[line.account, default: 0] += line.debitMinor - line.creditMinor }
            for movement in result.movements { movementSums[movement.key, default: 0] += movement.quantityMilli }
        }
        #expect(posted > 1000, "the generator should mostly produce postable business, posted \(posted)")
        #expect(balances.values.reduce(0, +) == 0, "the trial balance sums to zero")
        #expect(shop.context.stock.filter { $0.value != 0 } == movementSums.filter { $0.value != 0 }, "stock equals the sum of its movements")
        #expect(shop.context.stock.values.allSatisfy { $0 >= 0 }, "stock never negative")
        // The inventory account carries exactly the stock value of the valuations.
        let stockValue = shop.context.valuations.values.reduce(0) { $0 + $1.valueMinor }
        #expect(balances[SKR03.Posting.inventory, default: 0] == stockValue)
    }

    @Test func aSaleBooksReceivableRevenueVATAndCostOfGoods() throws {
        var shop = Shop()
        let seed = shop.batches[0]  // Winterweizen, 7 %
        _ = try shop.post(shop.transaction(.purchase, partner: shop.supplier, items: [shop.item(seed, at: shop.locations[0], "1000", price: "0.50")]))
        let sale = try shop.post(shop.transaction(.sale, partner: shop.customer, items: [shop.item(seed, at: shop.locations[0], "200", price: "0.80")]))
        // 200 kg × 0.80 = 160.00 net, 7 % = 11.20 VAT; cost 200 × 0.50 = 100.00.
        #expect(sale.totals == Totals(netMinor: 16000, taxMinor: 1120, grossMinor: 17120))
        let byAccount = Dictionary(grouping: sale.lines, by: \.account).mapValues { $0.reduce(0) { $0 + $1.debitMinor - $1.creditMinor } }
        #expect(byAccount == ["1400": 17120, "8300": -16000, "1771": -1120, "3200": 10000, "3980": -10000])
        #expect(sale.openItem?.kind == .receivable && sale.openItem?.amountMinor == 17120)
    }

    @Test func movingAverageCostFollowsPurchasesAtDifferentPrices() throws {
        var shop = Shop()
        let batch = shop.batches[0]
        let here = shop.locations[0]
        _ = try shop.post(shop.transaction(.purchase, partner: shop.supplier, items: [shop.item(batch, at: here, "100", price: "1.00")]))
        _ = try shop.post(shop.transaction(.purchase, partner: shop.supplier, items: [shop.item(batch, at: here, "300", price: "2.00")]))
        // (100 + 600) / 400 kg = 1.75 per kg; 40 kg cost 70.00.
        let sale = try shop.post(shop.transaction(.sale, partner: shop.customer, items: [shop.item(batch, at: here, "40", price: "3")]))
        #expect(sale.movements.first?.valueMinor == -7000)
        #expect(shop.context.valuations[batch.articleId] == Valuation(quantityMilli: 360_000, valueMinor: 63000))
    }

    @Test func anOutboundLineBeyondStockIsRefusedNamingTheLine() throws {
        var shop = Shop()
        let batch = shop.batches[1]
        _ = try shop.post(shop.transaction(.goodsReceipt, partner: nil, items: [shop.item(batch, at: shop.locations[0], "5", price: "1")]))
        let attempt = shop.transaction(.sale, partner: shop.customer, items: [
            shop.item(batch, at: shop.locations[0], "3", price: "2"),
            shop.item(batch, at: shop.locations[0], "3", price: "2"),
        ])
        #expect { try shop.post(attempt) } throws: { error in
            let reasons = (error as? PostingRejection)?.reasons ?? []
            return reasons.map(\.name) == ["items[1].quantity"] && reasons[0].reason.contains("only 2 kg")
        }
    }

    @Test func aClosedPeriodAndEveryBadLineAreRefusedTogether() throws {
        var shop = Shop()
        shop.context.periodStatus = .closed
        let foreignBatch = shop.batches[2]  // belongs to the fertiliser
        var item = shop.item(foreignBatch, at: .generate(), "1", price: nil)
        item.articleId = shop.articles[0].id
        let attempt = shop.transaction(.sale, partner: shop.supplier, items: [item])
        #expect { try shop.post(attempt) } throws: { error in
            let names = Set(((error as? PostingRejection)?.reasons ?? []).map(\.name))
            return names == ["date", "partnerId", "items[0].batchId", "items[0].locationId", "items[0].unitPrice"]
        }
    }

    @Test func anExpiredPSMApprovalMayNotBeSold() throws {
        var shop = Shop()
        let now = Date()
        let psm = Article(id: .generate(), sku: "PSM-1", name: "Fungizid", category: .psm, baseUnit: .l, taxCode: "DE19",
                          psmApprovalNumber: "024567-00", psmApprovalExpiresOn: "2026-06-30", active: true, createdAt: now, updatedAt: now, version: 1)
        let batch = Batch(id: .generate(), articleId: psm.id, batchNumber: "F-1", supplierBatchRef: nil, producedOn: nil, expiresOn: nil,
                          predecessors: [], createdAt: now)
        shop.context.articles[psm.id] = psm
        shop.context.batches[batch.id] = batch
        _ = try shop.post(shop.transaction(.goodsReceipt, partner: nil, items: [shop.item(batch, at: shop.locations[0], "10", price: "12")]))
        #expect { try shop.post(shop.transaction(.sale, partner: shop.customer, items: [shop.item(batch, at: shop.locations[0], "1", price: "20")])) } throws: { error in
            (error as? PostingRejection)?.reasons.first?.reason.contains("024567-00 expired on 2026-06-30") == true
        }
    }

    @Test func decimalsAreExactAndRoundHalfAwayFromZero() {
        #expect(Quantity.parse("12.5") == 12_500)
        #expect(Quantity.parse("0.001") == 1)
        #expect(Quantity.parse("1.0001") == nil)
        #expect(Quantity.parse("-1") == nil)
        #expect(Quantity.parse("1e3") == nil)
        #expect(Quantity.text(12_500) == "12.5")
        #expect(UnitPrice.lineAmountMinor(quantityMilli: 1_000, unitPrice: 4_250) == 43)  // 1 × 0.425 = 0.425 → 0.43
        #expect(SKR03.taxCodesByCode["DE19"]?.tax(onNet: 1050) == 200)  // 199.5 → 200
        #expect(proportionalShare(of: 100, part: 1, whole: 3) == 33)
    }
}

/// SplitMix64: reproducible random numbers for property tests.
struct SeededRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
