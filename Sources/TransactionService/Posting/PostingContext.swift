import ERPKernel

/// Where a quantity of one batch of one article lies.
struct StockKey: Hashable, Sendable {
    let articleId: EntityID
    let batchId: EntityID
    let locationId: EntityID
}

/// Moving-average valuation of one article: `valueMinor / quantityMilli` is the unit cost.
struct Valuation: Equatable, Sendable {
    var quantityMilli: Int
    var valueMinor: Int
    static let empty = Valuation(quantityMilli: 0, valueMinor: 0)
}

/// One line's effect on stock: positive quantities come in, negative go out.
struct StockMovement: Equatable, Sendable {
    let line: Int
    let key: StockKey
    let quantityMilli: Int
    let valueMinor: Int
}

/// The state a posting is judged against, read inside the posting's database transaction.
struct PostingContext: Sendable {
    var articles: [EntityID: Article] = [:]
    var batches: [EntityID: Batch] = [:]
    var locations: Set<EntityID> = []
    var partner: Partner?
    var stock: [StockKey: Int] = [:]
    var valuations: [EntityID: Valuation] = [:]
    /// The customer's open receivables before this posting, for the credit limit.
    var openReceivablesMinor = 0
    var periodStatus: FiscalPeriodStatus = .open
}

/// What posting a transaction does: stock movements, one balanced journal entry, an open item.
struct PostingResult: Sendable {
    var movements: [StockMovement] = []
    var lines: [JournalLine] = []
    var totals = Totals.zero
    var openItem: (kind: OpenItemKind, amountMinor: Int)?
    /// Stock and valuations after the posting.
    var stock: [StockKey: Int] = [:]
    var valuations: [EntityID: Valuation] = [:]
}

/// A posting refused, with every reason, each naming the field or line it concerns.
struct PostingRejection: Error, Sendable {
    let reasons: [InvalidParam]

    var problem: Problem {
        Problem(
            status: 422, code: "transaction_rejected", title: "Transaction rejected",
            detail: reasons.map { "\($0.name): \($0.reason)" }.joined(separator: "; "),
            category: .validation, invalidParams: reasons)
    }
}
