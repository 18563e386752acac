import ERPKernel
import Foundation

enum ArticleCategory: String, Codable, Sendable, CaseIterable {
    case seed, fertiliser, psm, feed, grain, other
}

enum BaseUnit: String, Codable, Sendable, CaseIterable {
    case kg, t, l, piece, bag

    /// Thousandths of this unit in one `other`, when the two convert (t and kg).
    func factor(from other: BaseUnit) -> Int? {
        switch (other, self) {
        case _ where other == self: 1
        case (.t, .kg): 1000
        default: nil
        }
    }
}

struct Article: Codable, Sendable, Equatable {
    let id: EntityID
    var sku: String
    var name: String
    var category: ArticleCategory
    var baseUnit: BaseUnit
    var taxCode: String
    /// Zulassungsnummer of a crop-protection product (BVL register), required for `psm`.
    var psmApprovalNumber: String?
    /// Last day the PSM approval allows selling (`YYYY-MM-DD`).
    var psmApprovalExpiresOn: String?
    var active: Bool
    let createdAt: Date
    var updatedAt: Date
    var version: Int
}

struct Batch: Codable, Sendable, Equatable {
    let id: EntityID
    let articleId: EntityID
    let batchNumber: String
    let supplierBatchRef: String?
    let producedOn: String?
    let expiresOn: String?
    /// The batches this one was made or mixed from (traceability upstream).
    let predecessors: [EntityID]
    let createdAt: Date
}

enum PartnerRole: String, Codable, Sendable, CaseIterable {
    case customer, supplier
}

struct Address: Codable, Sendable, Equatable {
    var street: String?
    var postalCode: String?
    var city: String?
    /// ISO 3166-1 alpha-2.
    var country: String
}

struct Partner: Codable, Sendable, Equatable {
    let id: EntityID
    var name: String
    var roles: [PartnerRole]
    var address: Address
    var vatId: String?
    var paymentTermsDays: Int
    /// Most the customer may owe, in cents; `nil` for no limit.
    var creditLimitMinor: Int?
    let createdAt: Date
    var updatedAt: Date
    var version: Int
}

enum LocationKind: String, Codable, Sendable, CaseIterable {
    case bin, silo, tank, yard
}

struct StorageLocation: Codable, Sendable, Equatable {
    let id: EntityID
    let code: String
    let kind: LocationKind
    /// Capacity in thousandths of a tonne-or-unit, informational.
    let capacity: String?
}

struct Warehouse: Codable, Sendable, Equatable {
    let id: EntityID
    let code: String
    let name: String
    let locations: [StorageLocation]
    let createdAt: Date
}

enum FiscalPeriodStatus: String, Codable, Sendable, CaseIterable {
    case open, closed, locked
}

struct FiscalPeriod: Codable, Sendable, Equatable {
    /// `YYYY-MM`.
    let period: String
    let status: FiscalPeriodStatus
    let changedAt: Date
}
