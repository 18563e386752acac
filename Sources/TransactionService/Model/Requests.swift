import ERPKernel
import Foundation
import ServiceRuntime

struct NewArticleRequest: Codable, Sendable, KnownFields {
    static let fields: Set<String> = ["sku", "name", "category", "baseUnit", "taxCode", "psmApprovalNumber", "psmApprovalExpiresOn"]
    let sku: String
    let name: String
    let category: ArticleCategory
    let baseUnit: BaseUnit
    let taxCode: String
    let psmApprovalNumber: String?
    let psmApprovalExpiresOn: String?
}

struct ArticleChangeRequest: Codable, Sendable, KnownFields {
    static let fields: Set<String> = ["name", "taxCode", "psmApprovalNumber", "psmApprovalExpiresOn", "active"]
    let name: String?
    let taxCode: String?
    let psmApprovalNumber: String?
    let psmApprovalExpiresOn: String?
    let active: Bool?
}

struct NewBatchRequest: Codable, Sendable, KnownFields {
    static let fields: Set<String> = ["articleId", "batchNumber", "supplierBatchRef", "producedOn", "expiresOn", "predecessors"]
    let articleId: EntityID
    let batchNumber: String
    let supplierBatchRef: String?
    let producedOn: String?
    let expiresOn: String?
    let predecessors: [EntityID]?
}

struct NewPartnerRequest: Codable, Sendable, KnownFields {
    static let fields: Set<String> = ["name", "roles", "address", "vatId", "paymentTermsDays", "creditLimitMinor"]
    let name: String
    let roles: [PartnerRole]
    let address: Strict<AddressInput>
    let vatId: String?
    let paymentTermsDays: Int?
    let creditLimitMinor: Int?
}

/// A partner's changed fields; the ones left out stay as they are.
struct PartnerChangeRequest: Codable, Sendable, KnownFields {
    static let fields: Set<String> = ["name", "roles", "address", "vatId", "paymentTermsDays", "creditLimitMinor"]
    let name: String?
    let roles: [PartnerRole]?
    let address: Strict<AddressInput>?
    let vatId: String?
    let paymentTermsDays: Int?
    let creditLimitMinor: Int?
}

struct AddressInput: Codable, Sendable, KnownFields {
    static let fields: Set<String> = ["street", "postalCode", "city", "country"]
    let street: String?
    let postalCode: String?
    let city: String?
    let country: String
    var address: Address { Address(street: street, postalCode: postalCode, city: city, country: country) }
}

struct NewWarehouseRequest: Codable, Sendable, KnownFields {
    static let fields: Set<String> = ["code", "name", "locations"]
    let code: String
    let name: String
    let locations: [Strict<NewLocationRequest>]
}

struct NewLocationRequest: Codable, Sendable, KnownFields {
    static let fields: Set<String> = ["code", "kind", "capacity"]
    let code: String
    let kind: LocationKind
    let capacity: String?
}

struct FiscalPeriodChangeRequest: Codable, Sendable, KnownFields {
    static let fields: Set<String> = ["status"]
    let status: FiscalPeriodStatus
}

extension NewTransactionRequest: KnownFields {
    static let fields: Set<String> = ["kind", "partnerId", "date", "reference", "currency", "items", "post"]
}

extension TransactionItem: KnownFields {
    static let fields: Set<String> = ["articleId", "batchId", "locationId", "toLocationId", "quantity", "unit", "unitPrice", "taxCode", "role"]
}
