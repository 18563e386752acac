/// A right to do one kind of thing, named `area.action` (`users.write`, `ledger.read`).
///
/// Permissions are the vocabulary every service checks; which role grants which is the users
/// service's business. Access tokens carry the caller's permissions.
public struct Permission: RawRepresentable, Hashable, Sendable, Codable, Comparable, ExpressibleByStringLiteral {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    public static func < (lhs: Permission, rhs: Permission) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Reading is a separate permission from writing, so the auditor role can hold every `.read`.
    public var isRead: Bool { rawValue.hasSuffix(".read") }

    public static let usersRead: Permission = "users.read"
    public static let usersWrite: Permission = "users.write"
    public static let tenantRead: Permission = "tenant.read"
    public static let tenantWrite: Permission = "tenant.write"
    public static let masterDataRead: Permission = "masterdata.read"
    public static let masterDataWrite: Permission = "masterdata.write"
    public static let transactionsRead: Permission = "transactions.read"
    public static let transactionsPost: Permission = "transactions.write"
    public static let ledgerRead: Permission = "ledger.read"
    public static let ledgerWrite: Permission = "ledger.write"
    public static let stockRead: Permission = "stock.read"
    public static let stockWrite: Permission = "stock.write"
    public static let complianceRead: Permission = "compliance.read"
    public static let complianceWrite: Permission = "compliance.write"
    public static let documentsRead: Permission = "documents.read"
    public static let documentsWrite: Permission = "documents.write"
    public static let reportsRead: Permission = "reports.read"
    public static let auditRead: Permission = "audit.read"
    public static let apiKeysWrite: Permission = "apikeys.write"

    /// Every permission the system knows, for the admin role and validation.
    public static let all: [Permission] = [
        usersRead, usersWrite, tenantRead, tenantWrite, masterDataRead, masterDataWrite, transactionsRead,
        transactionsPost, ledgerRead, ledgerWrite, stockRead, stockWrite, complianceRead, complianceWrite,
        documentsRead, documentsWrite, reportsRead, auditRead, apiKeysWrite,
    ]
}
