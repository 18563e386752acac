import ERPKernel

/// Turns a business transaction into stock movements and a balanced journal entry, or refuses it
/// with every reason. Pure: it reads only the context it is given, so the rules are tested
/// without a database and run inside the posting's database transaction unchanged.
///
/// Accounts (SKR03, perpetual inventory at moving-average cost):
/// - purchase: Bestand 3980 + Vorsteuer / Verbindlichkeiten 1600 (reverse charge: 1577 / 1787)
/// - sale: Forderungen 1400 / Erlöse + Umsatzsteuer, and Wareneinsatz 3200 / Bestand 3980
/// - return (customer): the sale's mirror at today's average cost
/// - goods receipt / issue, inventory differences: Bestand 3980 against Bestandsveränderungen 3960
/// - consumption: sonstige Aufwendungen 4900 / Bestand 3980
/// - transfer and production move stock, and value only within 3980
struct PostingEngine {
    let transaction: BusinessTransaction
    var context: PostingContext
    private var reasons: [InvalidParam] = []
    private var result = PostingResult()
    private var journal: JournalBuilder

    init(transaction: BusinessTransaction, context: PostingContext) {
        self.transaction = transaction
        self.context = context
        self.journal = JournalBuilder(partnerId: transaction.partnerId)
    }

    static func post(_ transaction: BusinessTransaction, in context: PostingContext) throws(PostingRejection) -> PostingResult {
        var engine = PostingEngine(transaction: transaction, context: context)
        return try engine.run()
    }

    private mutating func run() throws(PostingRejection) -> PostingResult {
        checkHeader()
        var productionInputCost = 0
        var outputs: [(line: Int, key: StockKey, quantity: Int)] = []
        for (index, item) in transaction.items.enumerated() {
            guard let line = resolve(item, at: index) else { continue }
            switch transaction.kind {
            case .purchase: purchase(line)
            case .sale: sale(line)
            case .return: customerReturn(line)
            case .goodsReceipt:
                if let value = receive(line, value: line.amountMinor) {
                    journal.debit(SKR03.Posting.inventory, value)
                    journal.credit(SKR03.Posting.stockChanges, value)
                }
            case .goodsIssue, .consumption:
                if let cost = issue(line) {
                    journal.debit(transaction.kind == .goodsIssue ? SKR03.Posting.stockChanges : "4900", cost)
                    journal.credit(SKR03.Posting.inventory, cost)
                }
            case .transfer: transfer(line)
            case .stockAdjustment: adjust(line)
            case .production:
                if line.item.role == .output {
                    outputs.append((index, line.key, line.quantityMilli))
                } else if let cost = issue(line) {
                    productionInputCost += cost
                }
            }
        }
        if transaction.kind == .production { produce(outputs, cost: productionInputCost) }
        guard reasons.isEmpty else { throw PostingRejection(reasons: reasons) }
        result.lines = journal.lines()
        precondition(result.lines.isBalanced, "a posting rule produced an unbalanced entry")
        result.stock = context.stock
        result.valuations = context.valuations
        if let partner = context.partner, transaction.kind.isInvoiced {
            let gross = result.totals.grossMinor
            result.openItem = transaction.kind == .purchase ? (.payable, gross) : (.receivable, transaction.kind == .sale ? gross : -gross)
            if transaction.kind == .sale, let limit = partner.creditLimitMinor,
                context.openReceivablesMinor + gross > limit
            {
                throw PostingRejection(reasons: [InvalidParam(
                    name: "partnerId",
                    reason: "credit limit \(limit) cents exceeded: \(context.openReceivablesMinor) open plus \(gross) for this sale")])
            }
        }
        return result
    }

    // MARK: - Header

    private mutating func checkHeader() {
        switch context.periodStatus {
        case .open: break
        case .closed, .locked:
            reject("date", "the fiscal period \(transaction.date.prefix(7)) is \(context.periodStatus.rawValue)")
        }
        if let role = transaction.kind.needsPartner {
            if let partner = context.partner {
                if !partner.roles.contains(role) { reject("partnerId", "partner \(partner.id) is not a \(role.rawValue)") }
            } else {
                reject("partnerId", transaction.partnerId == nil ? "a \(transaction.kind.rawValue) needs a \(role.rawValue)" : "no such partner")
            }
        }
        if transaction.kind == .production {
            let roles = Set(transaction.items.compactMap(\.role))
            if roles != [.input, .output] { reject("items", "production needs at least one input and one output item") }
        }
    }

    // MARK: - Lines

    private struct Line {
        let index: Int
        let item: TransactionItem
        let article: Article
        let key: StockKey
        let quantityMilli: Int
        /// quantity × price in cents; 0 without a price.
        let amountMinor: Int
        let taxCode: TaxCode?
        var name: String { "items[\(index)]" }
    }

    private mutating func resolve(_ item: TransactionItem, at index: Int) -> Line? {
        let name = "items[\(index)]"
        let before = reasons.count
        let article = context.articles[item.articleId]
        if article == nil { reject("\(name).articleId", "no such article") }
        if let batch = context.batches[item.batchId] {
            if batch.articleId != item.articleId { reject("\(name).batchId", "batch \(batch.batchNumber) belongs to another article") }
        } else {
            reject("\(name).batchId", "no such batch")
        }
        if !context.locations.contains(item.locationId) { reject("\(name).locationId", "no such storage location") }
        if transaction.kind == .transfer {
            if let target = item.toLocationId {
                if !context.locations.contains(target) { reject("\(name).toLocationId", "no such storage location") }
                if target == item.locationId { reject("\(name).toLocationId", "a transfer needs a different target location") }
            } else {
                reject("\(name).toLocationId", "a transfer needs a target location")
            }
        }
        if transaction.kind == .production, item.role == nil { reject("\(name).role", "production items are an input or an output") }
        guard let article else { return nil }
        let unit = item.unit ?? article.baseUnit
        guard let factor = article.baseUnit.factor(from: unit) else {
            reject("\(name).unit", "\(unit.rawValue) does not convert to the article's base unit \(article.baseUnit.rawValue)")
            return nil
        }
        guard let parsed = Quantity.parse(item.quantity), parsed.multipliedReportingOverflow(by: factor).overflow == false else {
            reject("\(name).quantity", "a decimal number with at most 3 decimals")
            return nil
        }
        let quantity = parsed * factor
        if quantity == 0, transaction.kind != .stockAdjustment { reject("\(name).quantity", "must be greater than 0") }
        var amount = 0
        if let priceText = item.unitPrice {
            if let price = UnitPrice.parse(priceText), let lineAmount = UnitPrice.lineAmountMinor(quantityMilli: parsed, unitPrice: price) {
                amount = lineAmount
            } else {
                reject("\(name).unitPrice", "a decimal number with at most 4 decimals")
            }
        } else if transaction.kind.isInvoiced || transaction.kind == .goodsReceipt {
            reject("\(name).unitPrice", "a \(transaction.kind.rawValue) needs a unit price")
        }
        var taxCode: TaxCode?
        if transaction.kind.isInvoiced {
            let code = item.taxCode ?? article.taxCode
            taxCode = SKR03.taxCodesByCode[code]
            if taxCode == nil { reject("\(name).taxCode", "unknown tax code \(code)") }
        }
        if transaction.kind.passesComplianceGate || transaction.kind == .transfer {
            checkMayLeave(article: article, batch: context.batches[item.batchId], name: name)
        }
        guard reasons.count == before else { return nil }
        return Line(
            index: index, item: item, article: article,
            key: StockKey(articleId: item.articleId, batchId: item.batchId, locationId: item.locationId),
            quantityMilli: quantity, amountMinor: amount, taxCode: taxCode)
    }

    /// The rules on data this service owns; the compliance service's verdict is asked separately.
    private mutating func checkMayLeave(article: Article, batch: Batch?, name: String) {
        guard transaction.kind != .transfer else { return }
        if article.category == .psm {
            if let expiry = article.psmApprovalExpiresOn, expiry < transaction.date {
                reject("\(name).articleId", "PSM approval \(article.psmApprovalNumber ?? "?") expired on \(expiry)")
            }
        }
        if transaction.kind == .sale, let expiry = batch?.expiresOn, expiry < transaction.date {
            reject("\(name).batchId", "batch \(batch?.batchNumber ?? "?") expired on \(expiry)")
        }
    }

    // MARK: - Rules per kind

    private mutating func purchase(_ line: Line) {
        guard let taxCode = line.taxCode, receive(line, value: line.amountMinor) != nil else { return }
        let tax = taxCode.tax(onNet: line.amountMinor)
        journal.debit(SKR03.Posting.inventory, line.amountMinor)
        if let input = taxCode.inputTaxAccount, tax != 0 { journal.debit(input, tax, taxCode: taxCode.code) }
        if taxCode.kind == .reverseCharge, let output = taxCode.outputTaxAccount {
            // § 13b: the buyer owes the tax and reclaims it at once; the supplier is paid net.
            journal.credit(output, tax, taxCode: taxCode.code)
            journal.credit(SKR03.Posting.payables, line.amountMinor)
            addTotals(net: line.amountMinor, tax: 0)
        } else {
            journal.credit(SKR03.Posting.payables, line.amountMinor + tax)
            addTotals(net: line.amountMinor, tax: tax)
        }
    }

    private mutating func sale(_ line: Line) {
        guard let taxCode = line.taxCode, let cost = issue(line) else { return }
        // Only domestic supplies carry German VAT on the invoice; § 13b and intra-EU supplies do not.
        let tax = taxCode.kind == .domestic ? taxCode.tax(onNet: line.amountMinor) : 0
        journal.debit(SKR03.Posting.receivables, line.amountMinor + tax)
        journal.credit(taxCode.revenueAccount, line.amountMinor, taxCode: taxCode.code)
        if tax != 0, let output = taxCode.outputTaxAccount { journal.credit(output, tax, taxCode: taxCode.code) }
        journal.debit(SKR03.Posting.costOfGoodsSold, cost)
        journal.credit(SKR03.Posting.inventory, cost)
        addTotals(net: line.amountMinor, tax: tax)
    }

    private mutating func customerReturn(_ line: Line) {
        guard let taxCode = line.taxCode else { return }
        let cost = averageCost(of: line.article.id, quantity: line.quantityMilli) ?? line.amountMinor
        guard receive(line, value: cost) != nil else { return }
        let tax = taxCode.kind == .domestic ? taxCode.tax(onNet: line.amountMinor) : 0
        journal.debit(taxCode.revenueAccount, line.amountMinor, taxCode: taxCode.code)
        if tax != 0, let output = taxCode.outputTaxAccount { journal.debit(output, tax, taxCode: taxCode.code) }
        journal.credit(SKR03.Posting.receivables, line.amountMinor + tax)
        journal.debit(SKR03.Posting.inventory, cost)
        journal.credit(SKR03.Posting.costOfGoodsSold, cost)
        addTotals(net: line.amountMinor, tax: tax)
    }

    private mutating func transfer(_ line: Line) {
        guard let target = line.item.toLocationId, take(line) else { return }
        let into = StockKey(articleId: line.key.articleId, batchId: line.key.batchId, locationId: target)
        context.stock[into, default: 0] += line.quantityMilli
        result.movements.append(StockMovement(line: line.index * 2, key: line.key, quantityMilli: -line.quantityMilli, valueMinor: 0))
        result.movements.append(StockMovement(line: line.index * 2 + 1, key: into, quantityMilli: line.quantityMilli, valueMinor: 0))
    }

    /// An inventory count: the quantity is what was counted; the difference is booked.
    private mutating func adjust(_ line: Line) {
        let book = context.stock[line.key] ?? 0
        let difference = line.quantityMilli - book
        if difference > 0 {
            let value = averageCost(of: line.article.id, quantity: difference) ?? (line.item.unitPrice == nil ? nil : line.amountMinor)
            guard let value else {
                reject("\(line.name).unitPrice", "the article has no stock to value the surplus at; give a unit price")
                return
            }
            let adjusted = Line(index: line.index, item: line.item, article: line.article, key: line.key,
                                quantityMilli: difference, amountMinor: value, taxCode: nil)
            _ = receive(adjusted, value: value)
            journal.debit(SKR03.Posting.inventory, value)
            journal.credit(SKR03.Posting.stockChanges, value)
        } else if difference < 0 {
            let adjusted = Line(index: line.index, item: line.item, article: line.article, key: line.key,
                                quantityMilli: -difference, amountMinor: 0, taxCode: nil)
            if let cost = issue(adjusted) {
                journal.debit(SKR03.Posting.stockChanges, cost)
                journal.credit(SKR03.Posting.inventory, cost)
            }
        }
    }

    /// Outputs take the inputs' cost, shared by quantity (the last output takes the remainder).
    private mutating func produce(_ outputs: [(line: Int, key: StockKey, quantity: Int)], cost: Int) {
        let totalQuantity = outputs.reduce(0) { $0 + $1.quantity }
        var remaining = cost
        var remainingQuantity = totalQuantity
        for output in outputs {
            let value = proportionalShare(of: remaining, part: output.quantity, whole: remainingQuantity)
            remaining -= value
            remainingQuantity -= output.quantity
            context.stock[output.key, default: 0] += output.quantity
            context.valuations[output.key.articleId, default: .empty].quantityMilli += output.quantity
            context.valuations[output.key.articleId, default: .empty].valueMinor += value
            result.movements.append(StockMovement(line: output.line, key: output.key, quantityMilli: output.quantity, valueMinor: value))
            journal.debit(SKR03.Posting.inventory, value)
        }
        journal.credit(SKR03.Posting.inventory, cost)
    }

    // MARK: - Stock

    /// Books stock in at `value`; returns the value, `nil` if refused.
    @discardableResult
    private mutating func receive(_ line: Line, value: Int) -> Int? {
        context.stock[line.key, default: 0] += line.quantityMilli
        context.valuations[line.article.id, default: .empty].quantityMilli += line.quantityMilli
        context.valuations[line.article.id, default: .empty].valueMinor += value
        result.movements.append(StockMovement(line: line.index, key: line.key, quantityMilli: line.quantityMilli, valueMinor: value))
        return value
    }

    /// Books stock out at the moving-average cost; returns the cost, `nil` if there is not enough.
    private mutating func issue(_ line: Line) -> Int? {
        guard take(line) else { return nil }
        let valuation = context.valuations[line.article.id] ?? .empty
        let cost = proportionalShare(of: valuation.valueMinor, part: line.quantityMilli, whole: valuation.quantityMilli)
        context.valuations[line.article.id] = Valuation(
            quantityMilli: valuation.quantityMilli - line.quantityMilli, valueMinor: valuation.valueMinor - cost)
        result.movements.append(StockMovement(line: line.index, key: line.key, quantityMilli: -line.quantityMilli, valueMinor: -cost))
        return cost
    }

    /// Removes the quantity from its location; refuses to go below zero.
    private mutating func take(_ line: Line) -> Bool {
        let onHand = context.stock[line.key] ?? 0
        guard onHand >= line.quantityMilli else {
            reject("\(line.name).quantity",
                   "only \(Quantity.text(onHand)) \(line.article.baseUnit.rawValue) of this batch at this location, \(Quantity.text(line.quantityMilli)) requested")
            return false
        }
        context.stock[line.key] = onHand - line.quantityMilli
        return true
    }

    private func averageCost(of article: EntityID, quantity: Int) -> Int? {
        guard let valuation = context.valuations[article], valuation.quantityMilli > 0 else { return nil }
        return proportionalShare(of: valuation.valueMinor, part: quantity, whole: valuation.quantityMilli)
    }

    private mutating func addTotals(net: Int, tax: Int) {
        result.totals.netMinor += net
        result.totals.taxMinor += tax
        result.totals.grossMinor += net + tax
    }

    private mutating func reject(_ name: String, _ reason: String) {
        reasons.append(InvalidParam(name: name, reason: reason))
    }
}
