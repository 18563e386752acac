import ERPKernel
import Foundation
import ServiceRuntime

enum TransactionKind: String, Codable, Sendable, CaseIterable {
    case purchase, sale
    case goodsReceipt = "goods_receipt"
    case goodsIssue = "goods_issue"
    case transfer
    case stockAdjustment = "stock_adjustment"
    /// A customer's return of goods sold (credit note).
    case `return`
    case production, consumption

    var needsPartner: PartnerRole? {
        switch self {
        case .purchase: .supplier
        case .sale, .return: .customer
        default: nil
        }
    }

    /// Items carry a price and a tax code: the kinds that are invoiced.
    var isInvoiced: Bool { self == .purchase || self == .sale || self == .return }

    /// Kinds whose outbound batches pass the compliance gate first.
    var passesComplianceGate: Bool { self == .sale || self == .goodsIssue || self == .consumption }
}

enum TransactionStatus: String, Codable, Sendable, CaseIterable {
    case draft, posted, rejected, reversed
}

enum ProductionRole: String, Codable, Sendable, CaseIterable {
    case input, output
}

struct TransactionItem: Codable, Sendable, Equatable {
    var articleId: EntityID
    var batchId: EntityID
    var locationId: EntityID
    /// The receiving location of a transfer.
    var toLocationId: EntityID?
    /// Decimal text in `unit` (default: the article's base unit); for a stock adjustment, the
    /// counted quantity.
    var quantity: String
    var unit: BaseUnit?
    /// Decimal text per `unit`: the invoiced price, or the value of a receipt.
    var unitPrice: String?
    var taxCode: String?
    var role: ProductionRole?
}

struct Totals: Codable, Sendable, Equatable {
    var netMinor: Int
    var taxMinor: Int
    var grossMinor: Int
    static let zero = Totals(netMinor: 0, taxMinor: 0, grossMinor: 0)
}

struct BusinessTransaction: Codable, Sendable, Equatable {
    let id: EntityID
    let kind: TransactionKind
    var status: TransactionStatus
    let partnerId: EntityID?
    /// Business date, `YYYY-MM-DD`.
    let date: String
    let reference: String?
    let currency: String
    let items: [TransactionItem]
    var totals: Totals
    var journalEntryId: EntityID?
    /// The Storno this transaction mirrors, and the one that mirrored it.
    var reversesId: EntityID?
    var reversedById: EntityID?
    /// Every reason a post was refused.
    var rejections: [InvalidParam]?
    let createdBy: EntityID
    let createdAt: Date
    var postedAt: Date?
}

/// What a client sends to create a transaction.
struct NewTransactionRequest: Codable, Sendable {
    let kind: TransactionKind
    let partnerId: EntityID?
    let date: String
    let reference: String?
    let currency: String?
    let items: [Strict<TransactionItem>]
    /// `false` keeps a draft; default `true` posts at once.
    let post: Bool?
}

struct JournalLine: Codable, Sendable, Equatable {
    let account: String
    let debitMinor: Int
    let creditMinor: Int
    let taxCode: String?
    let partnerId: EntityID?
}

struct JournalEntry: Codable, Sendable, Equatable {
    let id: EntityID
    let fiscalYear: Int
    /// Gapless per tenant and fiscal year.
    let number: Int
    let date: String
    let description: String
    /// `transaction`, `payment`, `manual` or `reversal`.
    let source: String
    let transactionId: EntityID?
    let reversesId: EntityID?
    let lines: [JournalLine]
    let createdBy: EntityID
    let createdAt: Date
}

enum OpenItemKind: String, Codable, Sendable, CaseIterable {
    case receivable, payable
}

struct OpenItem: Codable, Sendable, Equatable {
    let id: EntityID
    let partnerId: EntityID
    let kind: OpenItemKind
    let transactionId: EntityID
    let documentDate: String
    let dueDate: String
    let currency: String
    /// Negative for a credit (a customer's return).
    let amountMinor: Int
    let paidMinor: Int
    /// What is still to pay; kept as a field so clients need not compute it.
    let openMinor: Int

    init(id: EntityID, partnerId: EntityID, kind: OpenItemKind, transactionId: EntityID, documentDate: String,
         dueDate: String, currency: String, amountMinor: Int, paidMinor: Int) {
        self.id = id
        self.partnerId = partnerId
        self.kind = kind
        self.transactionId = transactionId
        self.documentDate = documentDate
        self.dueDate = dueDate
        self.currency = currency
        self.amountMinor = amountMinor
        self.paidMinor = paidMinor
        self.openMinor = amountMinor - paidMinor
    }
}
